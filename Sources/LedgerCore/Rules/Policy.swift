/// An event as a client submits it: before it has a place in the log.
public struct NewEvent: Sendable, Equatable {
    public var type: String
    public var key: String
    public var actor: String?
    public var data: JSONObject
    /// Only for `import --preserve-recorded-at`: the time the event was recorded in an older system.
    public var recordedAt: Timestamp?

    public init(type: String, key: String, actor: String? = nil, data: JSONObject, recordedAt: Timestamp? = nil) {
        self.type = type
        self.key = key
        self.actor = actor
        self.data = data
        self.recordedAt = recordedAt
    }
}

/// A refusal: one sentence that names the field and the rule. Nothing was appended.
public struct ValidationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The offending field (`data.signedBy`, `type`, …), or empty when the event as a whole is wrong.
    public let field: String
    public let message: String

    public init(field: String, _ message: String) {
        self.field = field.escapingControlCharacters
        self.message = message.escapingControlCharacters
    }

    public var description: String { message }
}

extension String {
    /// The text with control characters written as escapes (`\n`, `\u{1B}`), so that a
    /// message quoting hostile input stays one line and cannot steer a terminal or a log.
    public var escapingControlCharacters: String {
        guard unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) else { return self }
        var out = ""
        for scalar in unicodeScalars {
            switch scalar.value {
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0..<0x20, 0x7F...0x9F: out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// Small key-value state that rules and views keep beside the log, in the same transaction.
///
/// The store backs it with LMDB inside the append's write transaction; tests back it with a
/// dictionary. Keys and values are bytes; values are copied out.
public protocol StateAccess {
    func get(_ key: [UInt8]) throws -> [UInt8]?
    func put(_ key: [UInt8], _ value: [UInt8]) throws
    func delete(_ key: [UInt8]) throws
    /// Visits entries whose key starts with `prefix`, in key order, until `body` returns false.
    func scan(prefix: [UInt8], _ body: ([UInt8], [UInt8]) throws -> Bool) throws
    /// The entry with the greatest key that is at most `key` and starts with `prefix`.
    func last(prefix: [UInt8], atMost key: [UInt8]) throws -> (key: [UInt8], value: [UInt8])?
    /// The entry with the smallest key that is at least `key` and starts with `prefix`.
    func first(prefix: [UInt8], atLeast key: [UInt8]) throws -> (key: [UInt8], value: [UInt8])?
    /// Scratch space that lives as long as the write transaction (views buffer deltas there).
    var scratch: TransactionScratch { get }
}

/// Per-transaction scratch space for policies: created by the store for each write transaction.
public final class TransactionScratch {
    /// View deltas buffered until the transaction's end.
    public var viewDeltas: [String: [ViewRun]] = [:]
    /// Kontrakte read or written in this transaction, decoded (rules and views read the same
    /// Kontrakt several times per booking). Written through: the state always holds them too.
    var kontrakte: [String: KontraktState] = [:]
    /// Agreements per `traeger/sozialraum` read in this transaction (dropped when one is saved).
    var agreements: [String: [AgreementState]] = [:]
    public init() {}
}

/// A run of changes to one view counter by records that share one `recordedAt`.
public struct ViewRun: Sendable {
    public var recordedAt: Int64
    public var seq: UInt64
    public var delta: Int64
}

/// Where the ledger's domain plugs in: what may be appended, to which stream, and what it changes.
///
/// `admit` runs before anything is written and throws ``ValidationError`` to refuse; `apply`
/// runs after the record has its place, in the same transaction, to update state and views.
public protocol LedgerPolicy: Sendable {
    /// Checks `event` against the state and says which stream it belongs to.
    func admit(_ event: NewEvent, on ledger: LedgerContext, state: any StateAccess) throws -> Admission
    /// Records the effects of an appended record (admitted as `admission`).
    func apply(_ record: Record, _ admission: Admission, on ledger: LedgerContext, state: any StateAccess) throws
    /// Runs once at the end of each write transaction, after the last `apply`.
    func finish(on ledger: LedgerContext, state: any StateAccess) throws
}

extension LedgerPolicy {
    public func finish(on ledger: LedgerContext, state: any StateAccess) throws {}
}

/// A policy's yes to an event: its stream, warnings for the user, and the typed event.
public struct Admission: Sendable {
    public var stream: String
    /// Accepted but worth saying (hours beyond the grant, an agreement longer than five years).
    public var warnings: [String]
    public var event: DomainEvent?

    public init(stream: String, warnings: [String] = [], event: DomainEvent? = nil) {
        self.stream = stream
        self.warnings = warnings
        self.event = event
    }
}

/// What a policy knows about the ledger it guards.
public struct LedgerContext: Sendable, Equatable {
    public let name: LedgerName
    /// On a Träger's ledger: the Jugendamt it works with.
    public let jugendamt: String?

    public init(name: LedgerName, jugendamt: String?) {
        self.name = name
        self.jugendamt = jugendamt
    }
}

/// Accepts any type with an object `data`; routes by a `traeger` or `jugendamt` field.
/// Used for raw logs and tests of the log itself; ``DomainPolicy`` is the real one.
public struct PermissivePolicy: LedgerPolicy {
    public init() {}

    public func admit(_ event: NewEvent, on ledger: LedgerContext, state: any StateAccess) throws -> Admission {
        switch ledger.name.side {
        case .jugendamt:
            if case .string(let t)? = event.data["traeger"], Identifier.isValid(t) { return Admission(stream: "traeger:\(t)") }
            return Admission(stream: StreamName.intern)
        case .traeger:
            if case .string(let j)? = event.data["jugendamt"], Identifier.isValid(j) { return Admission(stream: "jugendamt:\(j)") }
            if let j = ledger.jugendamt { return Admission(stream: "jugendamt:\(j)") }
            return Admission(stream: StreamName.intern)
        }
    }

    public func apply(_ record: Record, _ admission: Admission, on ledger: LedgerContext, state: any StateAccess) throws {}
}

extension NewEvent {
    /// The fields of an import line or an HTTP event body.
    public static let fieldNames: Set<String> = ["type", "key", "actor", "data", "recordedAt"]

    /// Reads `{type, key, actor?, data, recordedAt?}` (an import line or an HTTP event).
    public init(json: JSON) throws(ValidationError) {
        guard case .object(let o) = json else { throw ValidationError(field: "", "an event must be a JSON object with type, key and data") }
        for m in o.members where !Self.fieldNames.contains(m.key) {
            throw ValidationError(field: m.key, "unknown field \"\(m.key)\" (an event has type, key, actor, data and, on import, recordedAt)")
        }
        guard case .string(let type)? = o["type"] else { throw ValidationError(field: "type", "type is required and must be a string") }
        guard case .string(let key)? = o["key"] else { throw ValidationError(field: "key", "key is required and must be a string") }
        var actor: String?
        if let a = o["actor"] {
            guard case .string(let s) = a else { throw ValidationError(field: "actor", "actor must be a string") }
            actor = s
        }
        guard case .object(let data)? = o["data"] else { throw ValidationError(field: "data", "data is required and must be a JSON object") }
        var recordedAt: Timestamp?
        if let r = o["recordedAt"] {
            guard case .string(let s) = r, let t = Timestamp(rfc3339: s), t.description == s else {
                throw ValidationError(field: "recordedAt", "recordedAt must be a UTC time with whole seconds like 2025-04-02T09:15:00Z")
            }
            recordedAt = t
        }
        self.init(type: type, key: key, actor: actor, data: data, recordedAt: recordedAt)
    }
}
