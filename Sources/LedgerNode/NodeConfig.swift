public import LedgerCore
import Foundation

/// Why a node's configuration file cannot be used: one sentence naming the field and the rule.
public struct ConfigError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The node's configuration file (JSON), documented in docs/NODE.md:
///
/// ```json
/// {
///   "tokens": [{"name": "asd-clerks", "sha256": "<64 hex>", "role": "clerk"}],
///   "tls": {"certificate": "cert.pem", "privateKey": "key.pem"},
///   "peers": [{"ledger": "traeger:caritas", "url": "https://caritas.example:8443",
///              "token": "<the token the peer gave us>", "publicKey": "<peer node key, 64 hex>",
///              "caCertificate": "caritas-ca.pem"}],
///   "syncIntervalSeconds": 300,
///   "limits": {"singleEventBytes": 1048576, "batchBytes": 16777216, "batchEvents": 10000}
/// }
/// ```
/// Tokens are stored only as SHA-256 hashes. Relative file paths are taken from the config
/// file's folder. Unknown fields are refused, so a typo cannot silently weaken the node.
public struct NodeConfig: Sendable {
    /// A bearer token the node accepts: a name for logs, the SHA-256 of the token, and a role.
    public struct Token: Sendable, Equatable {
        public var name: String
        public var sha256: Digest32
        public var role: Role

        public init(name: String, sha256: Digest32, role: Role) {
            self.name = name
            self.sha256 = sha256
            self.role = role
        }

        /// A token entry for `token` in clear (tests and `doppelledger token`).
        public init(name: String, token: String, role: Role) {
            self.init(name: name, sha256: Digest32.sha256(Array(token.utf8)), role: role)
        }
    }

    /// Certificate chain and private key (PEM files) for HTTPS.
    public struct TLSFiles: Sendable, Equatable {
        public var certificate: String
        public var privateKey: String

        public init(certificate: String, privateKey: String) {
            self.certificate = certificate
            self.privateKey = privateKey
        }
    }

    /// A counterparty's node this node pulls from.
    public struct Peer: Sendable, Equatable {
        /// The peer's ledger, e.g. `traeger:caritas`.
        public var ledger: LedgerName
        /// Its base URL, e.g. `https://caritas.example:8443`.
        public var url: String
        /// The bearer token the peer issued to us (role `peer:<our ledger>` on its node).
        public var token: String
        /// The peer node's Ed25519 public key (hex), pinned: its signed heads must verify with it.
        public var publicKey: String
        /// A PEM file of certificates to trust for the peer's TLS (a private CA); system roots otherwise.
        public var caCertificate: String?

        public init(ledger: LedgerName, url: String, token: String, publicKey: String, caCertificate: String? = nil) {
            self.ledger = ledger
            self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
            self.token = token
            self.publicKey = publicKey.lowercased()
            self.caCertificate = caCertificate
        }
    }

    /// Request limits ("put a limit on everything").
    public struct Limits: Sendable, Equatable {
        /// Largest body of a single-event POST.
        public var singleEventBytes = 1 << 20
        /// Largest body of a batch POST.
        public var batchBytes = 16 << 20
        /// Most events in one batch.
        public var batchEvents = 10_000
        /// Most records one GET /v1/events returns.
        public var readRecords = 10_000

        public init() {}
    }

    public var tokens: [Token]
    public var tls: TLSFiles?
    public var peers: [Peer]
    /// When set, `serve` pulls from every peer this often.
    public var syncIntervalSeconds: Int?
    public var limits: Limits

    public init(tokens: [Token] = [], tls: TLSFiles? = nil, peers: [Peer] = [], syncIntervalSeconds: Int? = nil, limits: Limits = Limits()) {
        self.tokens = tokens
        self.tls = tls
        self.peers = peers
        self.syncIntervalSeconds = syncIntervalSeconds
        self.limits = limits
    }

    /// Reads the configuration file at `path`.
    public static func load(path: String) throws(ConfigError) -> NodeConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError("cannot read the config file \(path)")
        }
        let json: JSON
        do { json = try JSONParser.parse([UInt8](data)) } catch {
            throw ConfigError("the config file \(path) is not valid JSON: \(error)")
        }
        let base = (path as NSString).deletingLastPathComponent
        return try NodeConfig(json: json, baseDirectory: base.isEmpty ? "." : base)
    }

    /// Reads a parsed configuration; relative paths are resolved against `baseDirectory`.
    public init(json: JSON, baseDirectory: String) throws(ConfigError) {
        guard case .object(let o) = json else { throw ConfigError("the config must be a JSON object") }
        try Self.allow(o, ["tokens", "tls", "peers", "syncIntervalSeconds", "limits"], in: "the config")
        func path(_ p: String) -> String { p.hasPrefix("/") ? p : baseDirectory + "/" + p }

        var tokens: [Token] = []
        var names: Set<String> = []
        for (i, t) in try Self.array(o["tokens"], "tokens").enumerated() {
            let at = "tokens[\(i)]"
            guard case .object(let e) = t else { throw ConfigError("\(at) must be an object with name, sha256 and role") }
            try Self.allow(e, ["name", "sha256", "role"], in: at)
            let name = try Self.string(e["name"], "\(at).name")
            guard names.insert(name).inserted else { throw ConfigError("\(at).name \"\(name)\" is used twice; token names are unique") }
            let hashText = try Self.string(e["sha256"], "\(at).sha256")
            guard hashText.count == 64, let hash = Digest32(hex: hashText.lowercased()) else {
                throw ConfigError("\(at).sha256 must be the SHA-256 of the token as 64 hex digits (printf %s TOKEN | sha256sum)")
            }
            let roleText = try Self.string(e["role"], "\(at).role")
            guard let role = Role(roleText) else {
                throw ConfigError("\(at).role must be clerk, auditor or peer:<ledger> (e.g. peer:traeger:caritas), got \"\(roleText)\"")
            }
            tokens.append(Token(name: name, sha256: hash, role: role))
        }

        var tls: TLSFiles?
        if let t = o["tls"] {
            guard case .object(let e) = t else { throw ConfigError("tls must be an object with certificate and privateKey") }
            try Self.allow(e, ["certificate", "privateKey"], in: "tls")
            tls = TLSFiles(certificate: path(try Self.string(e["certificate"], "tls.certificate")),
                           privateKey: path(try Self.string(e["privateKey"], "tls.privateKey")))
        }

        var peers: [Peer] = []
        for (i, p) in try Self.array(o["peers"], "peers").enumerated() {
            let at = "peers[\(i)]"
            guard case .object(let e) = p else { throw ConfigError("\(at) must be an object with ledger, url, token and publicKey") }
            try Self.allow(e, ["ledger", "url", "token", "publicKey", "caCertificate"], in: at)
            let ledgerText = try Self.string(e["ledger"], "\(at).ledger")
            guard let ledger = LedgerName(ledgerText) else {
                throw ConfigError("\(at).ledger must be jugendamt:<org> or traeger:<org>, got \"\(ledgerText)\"")
            }
            let url = try Self.string(e["url"], "\(at).url")
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw ConfigError("\(at).url must start with http:// or https://, got \"\(url)\"")
            }
            let token = try Self.string(e["token"], "\(at).token")
            guard !token.isEmpty else { throw ConfigError("\(at).token must not be empty") }
            let key = try Self.string(e["publicKey"], "\(at).publicKey")
            guard key.count == 64, Digest32(hex: key.lowercased()) != nil else {
                throw ConfigError("\(at).publicKey must be the peer node's Ed25519 public key as 64 hex digits (its node.pub)")
            }
            let ca = try e["caCertificate"].map { v throws(ConfigError) in path(try Self.string(v, "\(at).caCertificate")) }
            peers.append(Peer(ledger: ledger, url: url, token: token, publicKey: key, caCertificate: ca))
        }

        var interval: Int?
        if let v = o["syncIntervalSeconds"] {
            guard case .int(let s) = v, s >= 1, s <= 86_400 else {
                throw ConfigError("syncIntervalSeconds must be a whole number of seconds from 1 to 86400")
            }
            interval = Int(s)
        }

        var limits = Limits()
        if let l = o["limits"] {
            guard case .object(let e) = l else { throw ConfigError("limits must be an object") }
            try Self.allow(e, ["singleEventBytes", "batchBytes", "batchEvents", "readRecords"], in: "limits")
            func positive(_ name: String, _ max: Int) throws(ConfigError) -> Int? {
                guard let v = e[name] else { return nil }
                guard case .int(let n) = v, n >= 1, n <= max else { throw ConfigError("limits.\(name) must be a whole number from 1 to \(max)") }
                return Int(n)
            }
            limits.singleEventBytes = try positive("singleEventBytes", 1 << 30) ?? limits.singleEventBytes
            limits.batchBytes = try positive("batchBytes", 1 << 30) ?? limits.batchBytes
            limits.batchEvents = try positive("batchEvents", 1_000_000) ?? limits.batchEvents
            limits.readRecords = try positive("readRecords", 1_000_000) ?? limits.readRecords
        }
        self.init(tokens: tokens, tls: tls, peers: peers, syncIntervalSeconds: interval, limits: limits)
    }

    private static func allow(_ o: JSONObject, _ names: Set<String>, in place: String) throws(ConfigError) {
        for m in o.members where !names.contains(m.key) {
            throw ConfigError("unknown field \"\(m.key)\" in \(place) (allowed: \(names.sorted().joined(separator: ", ")))")
        }
    }

    private static func string(_ v: JSON?, _ field: String) throws(ConfigError) -> String {
        guard let v else { throw ConfigError("\(field) is required") }
        guard case .string(let s) = v else { throw ConfigError("\(field) must be a string") }
        return s
    }

    private static func array(_ v: JSON?, _ field: String) throws(ConfigError) -> [JSON] {
        guard let v else { return [] }
        guard case .array(let a) = v else { throw ConfigError("\(field) must be an array") }
        return a
    }

    /// The peer entry for `urlOrLedger` (its URL, with or without a trailing slash, or its ledger name).
    public func peer(_ urlOrLedger: String) -> Peer? {
        let u = urlOrLedger.hasSuffix("/") ? String(urlOrLedger.dropLast()) : urlOrLedger
        return peers.first { $0.url == u || $0.ledger.description == urlOrLedger }
    }
}
