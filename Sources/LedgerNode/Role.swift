public import LedgerCore

/// What a bearer token may do on a node (CONTRACT section 7).
public enum Role: Sendable, Equatable, CustomStringConvertible {
    /// Appends events and reads the whole own ledger.
    case clerk
    /// Reads everything, appends nothing.
    case auditor
    /// The counterparty's node: reads only the stream that concerns that ledger (on the
    /// Jugendamt's node `peer:traeger:caritas` reads stream `traeger:caritas`; on a Träger's node
    /// `peer:jugendamt:<org>` reads stream `jugendamt:<org>`), and nothing else.
    case peer(LedgerName)

    /// Parses `clerk`, `auditor` or `peer:<ledger>`.
    public init?(_ text: String) {
        switch text {
        case "clerk": self = .clerk
        case "auditor": self = .auditor
        default:
            guard text.hasPrefix("peer:"), let ledger = LedgerName(String(text.dropFirst(5))) else { return nil }
            self = .peer(ledger)
        }
    }

    public var description: String {
        switch self {
        case .clerk: "clerk"
        case .auditor: "auditor"
        case .peer(let l): "peer:\(l)"
        }
    }

    /// Whether the role may append events.
    public var mayAppend: Bool { self == .clerk }

    /// Whether the role may read `stream` (`nil`: the whole log, or whole-ledger views).
    public func mayRead(stream: String?) -> Bool {
        switch self {
        case .clerk, .auditor: true
        case .peer(let ledger): stream == ledger.description
        }
    }
}
