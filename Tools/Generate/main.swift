// doppelledger-gen: writes a generated Landkreis as import files, one per ledger.
//
//   doppelledger-gen OUT --years 1 --start-year 2025 --seed 42 [--plant-discrepancies] [--scale N]
//
// OUT gets `jugendamt-<org>.jsonl`, `traeger-<id>.jsonl` for each Träger (JSON Lines of
// {type,key,actor?,data,recordedAt}) and `plan.json` (the options, the ledgers and how to create
// them, and what the reconciliation must find). Load a file with
// `doppelledger import DIR FILE --preserve-recorded-at`.
import ArgumentParser
import Foundation
import LedgerCore
import LedgerGen

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doppelledger-gen",
        abstract: "Generate a realistic Landkreis Trier-Saarburg as import files, one per ledger (seeded, reproducible).")

    @Argument(help: "The folder for the files (created; must not hold files yet).") var out: String
    @Option(help: "How many budget years.") var years = 1
    @Option(help: "The first budget year.") var startYear = 2025
    @Option(help: "The seed: the same seed gives the same files, byte for byte.") var seed: UInt64 = 42
    @Flag(help: "Plant one discrepancy of every finding kind between the Jugendamt and the Träger.") var plantDiscrepancies = false
    @Option(help: "Multiply the case counts (for benchmarks).") var scale = 1
    @Option(help: "The Jugendamt's org id.") var jugendamt = "trier-saarburg"

    func run() throws {
        let options = GeneratorOptions(startYear: startYear, years: years, seed: seed, scale: scale,
                                       plantDiscrepancies: plantDiscrepancies, jugendamt: jugendamt)
        if let problem = options.problem { throw Usage(message: problem) }
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: out, isDirectory: &isDir) {
            guard isDir.boolValue else { throw Usage(message: "\(out) is a file; name a folder for the generated files") }
            guard try fm.contentsOfDirectory(atPath: out).isEmpty else {
                throw Usage(message: "\(out) is not empty; name a new or empty folder so no file is overwritten")
            }
        } else {
            try fm.createDirectory(atPath: out, withIntermediateDirectories: true)
        }

        let landkreis = LandkreisGenerator.generate(options)
        var ledgers: [JSON] = []
        for ledger in landkreis.ledgers {
            let file = "\(ledger.name.side.rawValue)-\(ledger.name.org).jsonl"
            try Data(ledger.importLines()).write(to: URL(fileURLWithPath: out).appendingPathComponent(file))
            var initArgs = "--side \(ledger.name.side.rawValue) --org \(ledger.name.org)"
            if let j = ledger.jugendamt { initArgs += " --jugendamt \(j)" }
            ledgers.append(.object(JSONObject([("ledger", .string(ledger.name.description)), ("file", .string(file)),
                                               ("init", .string(initArgs)), ("events", .int(Int64(ledger.events.count)))])))
        }
        let plan = JSON.object(JSONObject([
            ("options", .object(JSONObject([
                ("startYear", .int(Int64(startYear))), ("years", .int(Int64(years))), ("seed", .string(String(seed))),
                ("scale", .int(Int64(scale))), ("plantDiscrepancies", .bool(plantDiscrepancies)), ("jugendamt", .string(jugendamt)),
            ]))),
            ("ledgers", .array(ledgers)),
            ("planted", .array(landkreis.planted.map(\.json))),
        ]))
        try Data(CanonicalWriter.encode(plan) + [0x0A]).write(to: URL(fileURLWithPath: out).appendingPathComponent("plan.json"))

        print("wrote \(landkreis.eventCount) events for \(landkreis.ledgers.count) ledgers to \(out) "
              + "(\(landkreis.planted.count) expected findings in plan.json)")
        print("load one ledger like this:")
        let first = landkreis.jugendamt
        print("  doppelledger init LEDGERS/jugendamt --side jugendamt --org \(first.name.org)")
        print("  doppelledger import LEDGERS/jugendamt \(out)/jugendamt-\(first.name.org).jsonl --preserve-recorded-at")
    }
}

struct Usage: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

// Exit 2 for bad usage, as the doppelledger command does.
do {
    var command = try Generate.parseAsRoot()
    try command.run()
} catch let error as Usage {
    FileHandle.standardError.write(Data("doppelledger-gen: \(error.message)\n".utf8))
    exit(2)
} catch {
    let code = Generate.exitCode(for: error)
    if code == .success { Generate.exit(withError: error) }
    FileHandle.standardError.write(Data((Generate.fullMessage(for: error) + "\n").utf8))
    exit(code == .validationFailure || code.rawValue == 64 ? 2 : 3)
}
