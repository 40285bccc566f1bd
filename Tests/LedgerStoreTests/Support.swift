import Foundation
import LMDB
@testable import LedgerCore
@testable import LedgerStore

/// A fresh folder under the system's temporary directory, removed by `remove()`.
struct TempDir {
    let path: String
    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("ledgertests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func remove() { try? FileManager.default.removeItem(atPath: path) }
    func sub(_ name: String) -> String { path + "/" + name }
}

/// A policy for testing the log itself: refuses the type "Bad", routes by a `traeger` field like
/// ``PermissivePolicy``, and counts applied records in its state (to show state commits with the log).
struct TestPolicy: LedgerPolicy {
    static let counterKey = Array("test:count".utf8)

    func admit(_ event: NewEvent, on ledger: LedgerContext, state: any StateAccess) throws -> Admission {
        if event.type == "Bad" { throw ValidationError(field: "type", "type Bad is refused by the test policy") }
        return try PermissivePolicy().admit(event, on: ledger, state: state)
    }

    func apply(_ record: Record, _ admission: Admission, on ledger: LedgerContext, state: any StateAccess) throws {
        let n = try Self.count(state) + 1
        try state.put(Self.counterKey, withUnsafeBytes(of: n.littleEndian) { Array($0) })
    }

    static func count(_ state: any StateAccess) throws -> UInt64 {
        guard let raw = try state.get(counterKey) else { return 0 }
        return raw.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
    }
}

/// Environment options for tests: no fsync (a crash of the test machine may lose the test's data, nothing else).
var testOptions: Environment.Options {
    var o = Environment.Options()
    o.noSync = true
    o.mapSizeBytes = 1 << 26
    return o
}

/// A new Jugendamt ledger in a fresh folder.
func makeLedger(_ dir: TempDir, name: String = "ledger", org: String = "trier-saarburg",
                policy: any LedgerPolicy = TestPolicy()) throws -> Ledger {
    try Ledger.create(at: dir.sub(name), side: .jugendamt, org: org, jugendamt: nil, policy: policy, options: testOptions)
}

/// An event for stream `traeger:<traeger>` (or `intern` without one).
func event(_ key: String, type: String = "HoursBooked", traeger: String? = "caritas", minutes: Int64 = 60,
           actor: String? = "asd-07", extra: [(String, JSON)] = []) -> NewEvent {
    var data = JSONObject([("minutes", .int(minutes))] + extra)
    if let traeger { data["traeger"] = .string(traeger) }
    return NewEvent(type: type, key: key, actor: actor, data: data)
}

extension Ledger {
    /// The export as bytes.
    func exportBytes(stream: String? = nil, fromSeq: UInt64 = 1, asOf: Timestamp? = nil) throws -> [UInt8] {
        var out: [UInt8] = []
        _ = try export(stream: stream, fromSeq: fromSeq, asOf: asOf) { out.append(contentsOf: $0) }
        return out
    }

    /// The export as lines.
    func exportLines(stream: String? = nil, fromSeq: UInt64 = 1, asOf: Timestamp? = nil) throws -> [String] {
        String(decoding: try exportBytes(stream: stream, fromSeq: fromSeq, asOf: asOf), as: UTF8.self)
            .split(separator: "\n").map(String.init)
    }

    /// The policy state's counter (see ``TestPolicy``).
    func appliedCount() throws -> UInt64 { try readState { try TestPolicy.count($0) } }
}

/// Verifies export bytes, fed in chunks of `chunk` bytes to exercise line splitting.
func verifyExport(_ bytes: [UInt8], chunk: Int = 4096) -> VerificationResult {
    var verifier = ExportVerifier()
    var i = 0
    while i < bytes.count {
        let end = min(i + chunk, bytes.count)
        bytes[i..<end].withUnsafeBytes { verifier.feed($0) }
        i = end
    }
    verifier.finish()
    return verifier.result
}

func verifyExport(lines: [String]) -> VerificationResult {
    verifyExport(Array(lines.map { $0 + "\n" }.joined().utf8))
}

/// 2025-04-02T09:15:00Z plus `seconds`.
func at(_ seconds: Int64) -> Timestamp { Timestamp(seconds: 1_743_585_300 + seconds) }

extension Ledger.Outcome {
    /// An idempotent repeat: the stored record, nothing appended.
    static func existing(_ record: Record) -> Ledger.Outcome { Ledger.Outcome(record: record, isNew: false) }
}
