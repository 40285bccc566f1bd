/// The id rule of the contract: lower-case ASCII `[a-z0-9][a-z0-9._-]{0,63}`.
public enum Identifier {
    /// Whether `s` is a valid id.
    @inline(__always)
    public static func isValid(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { isValid(utf8: $0) }
    }

    /// Whether the UTF-8 bytes `u` are a valid id.
    @inline(__always)
    public static func isValid(utf8 u: UnsafeBufferPointer<UInt8>) -> Bool {
        guard u.count > 0, u.count <= 64 else { return false }
        for i in 0..<u.count {
            let c = u[i]
            if c &- 0x61 < 26 || c &- 0x30 < 10 { continue }         // a-z, 0-9
            if i > 0, c == 0x2E || c == 0x5F || c == 0x2D { continue } // '.', '_', '-' after the first
            return false
        }
        return true
    }

    /// The rule in words, for error messages.
    public static let rule = "lower-case ASCII letters, digits, '.', '_' or '-', starting with a letter or digit, at most 64 characters"
}

/// Which side of the Doppelcontrolling a ledger belongs to.
public enum Side: String, Sendable, CaseIterable, Codable {
    case jugendamt
    case traeger
}

/// A ledger's name, `jugendamt:<org>` or `traeger:<org>`.
public struct LedgerName: Hashable, Sendable, CustomStringConvertible {
    public let side: Side
    public let org: String

    public init(side: Side, org: String) {
        self.side = side
        self.org = org
    }

    public init?(_ text: String) {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let side = Side(rawValue: String(parts[0])), Identifier.isValid(String(parts[1])) else { return nil }
        self.side = side
        self.org = String(parts[1])
    }

    public var description: String { "\(side.rawValue):\(org)" }
}

/// Stream names: `traeger:<id>`, `jugendamt:<org>`, or `intern`.
public enum StreamName {
    public static let intern = "intern"

    public static func isValid(_ s: String) -> Bool {
        s == intern || LedgerName(s) != nil
    }
}
