import Foundation
import LedgerCore
import LedgerStore

/// Two real ledgers in a temporary folder, the Jugendamt trier-saarburg (`ja`) and the Träger
/// caritas (`tr`), built with `Ledger.create` and `append`, with helpers that record the same
/// event on one side or both. Each record's `recordedAt` comes from a clock the test controls.
final class LedgerScenario {
    enum Where { case both, jugendamt, traeger }

    let root: String
    var jugendamtPath: String { root + "/ja" }
    var traegerPath: String { root + "/tr" }
    private(set) var jugendamt: Ledger?
    private(set) var traeger: Ledger?
    /// The next record's recordedAt; advances a minute per record.
    var clock = Timestamp(rfc3339: "2025-04-01T08:00:00Z")!
    private var keyCounter = 0

    init() throws {
        root = NSTemporaryDirectory() + "reconcile-" + UUID().uuidString.lowercased()
        jugendamt = try Ledger.create(at: root + "/ja", side: .jugendamt, org: "trier-saarburg", jugendamt: nil, policy: DomainPolicy())
        traeger = try Ledger.create(at: root + "/tr", side: .traeger, org: "caritas", jugendamt: "trier-saarburg", policy: DomainPolicy())
        try record(.jugendamt, "SignerAuthorized", ["signer": "asd-07", "from": "2020-01-01"])
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// Closes both ledgers (so a test can alter their files).
    func close() {
        jugendamt = nil
        traeger = nil
    }

    func record(_ w: Where, _ type: String, _ data: JSON, at: Timestamp? = nil) throws {
        let now = at ?? clock
        clock = Timestamp(seconds: max(now, clock).seconds + 60)
        keyCounter += 1
        let event = NewEvent(type: type, key: "t-\(keyCounter)", data: data.object!)
        switch w {
        case .both:
            _ = try jugendamt!.append([event], now: now)
            _ = try traeger!.append([event], now: now)
        case .jugendamt: _ = try jugendamt!.append([event], now: now)
        case .traeger: _ = try traeger!.append([event], now: now)
        }
    }

    func kontrakt(_ id: String, on w: Where = .both, granted: Int64 = 6000) throws {
        try record(w, "KontraktSigned", [
            "kontrakt": .string(id), "fall": .string("f-\(id)"), "sozialraum": "konz", "traeger": "caritas", "hilfeart": "31",
            "funding": "personalisiert", "grantedMinutes": .int(granted), "validFrom": "2025-04-01", "validTo": "2025-12-31",
            "signedBy": "asd-07",
        ])
    }

    func hours(_ booking: String, _ kontrakt: String, _ date: String, _ minutes: Int64, on w: Where = .both, at: Timestamp? = nil) throws {
        try record(w, "HoursBooked", ["booking": .string(booking), "kontrakt": .string(kontrakt), "date": .string(date),
                                      "minutes": .int(minutes)], at: at)
    }

    /// A usual quarter on both sides, agreeing.
    func agreeingQuarter() throws {
        try kontrakt("k-1")
        try kontrakt("k-2", granted: 600)
        try hours("b-1", "k-1", "2025-04-07", 90)
        try hours("b-2", "k-2", "2025-05-12", 120)
        try record(.both, "PreventionBooked", ["booking": "p-1", "traeger": "caritas", "sozialraum": "konz", "date": "2025-06-03",
                                               "minutes": 180, "category": "netzwerk"])
        try record(.both, "PaymentBooked", ["payment": "z-1", "traeger": "caritas", "sozialraum": "konz", "payee": "caritas",
                                            "funding": "variabel", "amountCents": 123_456, "date": "2025-06-30"])
    }

    /// Writes the export of `ledger` (optionally one stream) to a file and returns its path.
    func export(_ w: Where, stream: String? = nil, name: String) throws -> String {
        let ledger = w == .traeger ? traeger! : jugendamt!
        var bytes: [UInt8] = []
        _ = try ledger.export(stream: stream) { bytes.append(contentsOf: $0) }
        let path = root + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
}

/// What a run of the command line gave.
struct CLIResult {
    var status: Int32
    var stdout: [UInt8]
    var stderr: String
    var text: String { String(decoding: stdout, as: UTF8.self) }
    var json: JSON { try! JSONParser.parse(stdout) }
}

enum CLI {
    /// The built `doppelledger` (`swift build --build-tests` builds it beside the tests), or
    /// `$DOPPELLEDGER_BIN`.
    static let binary: String = {
        if let path = ProcessInfo.processInfo.environment["DOPPELLEDGER_BIN"] { return path }
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidates = [
            beside.appendingPathComponent("doppelledger").path,
            beside.deletingLastPathComponent().appendingPathComponent("doppelledger").path,
            root.appendingPathComponent(".build/debug/doppelledger").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates.last!
    }()

    static func run(_ arguments: [String]) throws -> CLIResult {
        let dir = NSTemporaryDirectory() + "cli-" + UUID().uuidString.lowercased()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = FileManager.default.createFile(atPath: dir + "/out", contents: nil)
        _ = FileManager.default.createFile(atPath: dir + "/err", contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.standardOutput = FileHandle(forWritingAtPath: dir + "/out")
        process.standardError = FileHandle(forWritingAtPath: dir + "/err")
        try process.run()
        process.waitUntilExit()
        return CLIResult(status: process.terminationStatus,
                         stdout: Array(FileManager.default.contents(atPath: dir + "/out") ?? Data()),
                         stderr: String(decoding: FileManager.default.contents(atPath: dir + "/err") ?? Data(), as: UTF8.self))
    }

    static func reconcile(_ jugendamt: String, _ traeger: String, _ extra: String...) throws -> CLIResult {
        try run(["reconcile", "--jugendamt", jugendamt, "--traeger", traeger, "--year", "2025", "--quarter", "2"] + extra)
    }
}
