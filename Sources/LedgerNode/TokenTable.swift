import LedgerCore

/// Who presented a token: the token's name (for logs; never the token) and its role.
public struct Identity: Sendable, Equatable {
    public var name: String
    public var role: Role
}

/// The configured tokens, by SHA-256; looks a presented token up in constant time.
///
/// The presented token is hashed, and its hash compared with every configured hash in full,
/// without stopping at the first match or the first differing byte, so timing tells nothing
/// about which bytes were right.
struct TokenTable: Sendable {
    let tokens: [NodeConfig.Token]

    func identify(_ token: Substring) -> Identity? {
        let presented = Digest32.sha256(Array(token.utf8)).bytes
        var found = -1
        for (i, entry) in tokens.enumerated() {
            let stored = entry.sha256.bytes
            var diff: UInt8 = 0
            for j in 0..<32 { diff |= presented[j] ^ stored[j] }
            // Branch-free select of the first match.
            let isMatch = diff == 0 && found < 0
            found = isMatch ? i : found
        }
        guard found >= 0 else { return nil }
        return Identity(name: tokens[found].name, role: tokens[found].role)
    }
}
