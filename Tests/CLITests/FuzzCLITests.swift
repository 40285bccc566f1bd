import Foundation
import LedgerGen
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real executable under hostile input: mutated import files and random argument vectors.
/// Never a crash; bad input is exit 2 with one clear sentence and leaves the ledger as it was.
@Suite("Fuzzing the CLI", .serialized)
struct FuzzCLITests {
    static func mutate(_ text: String, _ rng: inout SplitMix64) -> String {
        var b = Array(text.utf8)
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            guard !b.isEmpty else { break }
            let at = Int.random(in: 0..<b.count, using: &rng)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: b[at] ^= UInt8.random(in: 1...255, using: &rng)
            case 1: b.removeSubrange(at..<min(b.count, at + Int.random(in: 1...20, using: &rng)))
            case 2: b.insert(contentsOf: Array(["null", "\"\"", "-1", "99999999999999999999", "{", "}", "\n", "\"x\":1,", "\u{0}", "ü"]
                .randomElement(using: &rng)!.utf8), at: at)
            case 3: b[at] = Array("{}[]\",:0123456789-az\n ".utf8).randomElement(using: &rng)!
            case 4: b.insert(contentsOf: b[at..<min(b.count, at + 30)], at: at)
            default: b = Array(b.prefix(at))
            }
        }
        return String(decoding: b, as: UTF8.self)
    }

    @Test("hundreds of mutated import files: exit 0 or 2, never a crash; a refused file leaves the ledger unchanged")
    func mutatedImports() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let ledger = try KonzWorld.ledger(dir)
        var system = SystemRandomNumberGenerator()
        let seed = UInt64.random(in: 0...UInt64.max, using: &system)
        var rng = SplitMix64(seed: seed)
        var expected = exportKeys(try CLI.run(["export", ledger]).stdout).count
        var outcomes: [Int32: Int] = [:]
        var problems: [String] = []
        for i in 0..<200 {
            let lines = (0..<Int.random(in: 1...6, using: &rng)).map { n -> String in
                let key = "z\(i)-\(n)"
                return Bool.random(using: &rng) ? KonzWorld.hoursLine(key: key, n: i * 7 + n) : TestEvent.importLine(key: key, n: i * 7 + n)
            }
            // Most files are mutated; the rest are valid and must go in.
            let valid = lines.joined(separator: "\n") + "\n"
            let text = Int.random(in: 0..<10, using: &rng) < 7 ? Self.mutate(valid, &rng) : valid
            let file = try dir.write("fuzz.jsonl", text)
            let r = try CLI.run(["import", ledger, file])
            outcomes[r.status ?? -(r.signal ?? 0), default: 0] += 1
            switch r.status {
            case 0:
                let imported = r.stdout.split(separator: " ").dropFirst().first.flatMap { Int($0) }
                guard let imported else { problems.append("\(i): no count in \(r.stdout)"); continue }
                expected += imported
            case 2:
                if !r.oneClearLine { problems.append("\(i): refusal is not one clear line: \(r.stderr)") }
            default:
                problems.append("\(i): \(r) for \(text.prefix(300))")
            }
        }
        print("fuzzing imports: exit statuses \(outcomes.sorted { $0.key < $1.key }) (seed \(seed))")
        #expect(problems.isEmpty, "seed \(seed): \(problems.prefix(5).joined(separator: "\n"))")
        #expect((outcomes[2] ?? 0) > 50 && (outcomes[0] ?? 0) > 20, "both outcomes occur: \(outcomes)")
        // Refused files appended nothing: the ledger holds exactly what the accepted ones reported.
        #expect(exportKeys(try CLI.run(["export", ledger]).stdout).count == expected)
        #expect(try CLI.run(["verify", ledger, "--views"]).status == 0)
    }

    @Test("random argument vectors: exit 0, 1 or 2, never a crash, never a machine failure")
    func randomArguments() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let ledger = try KonzWorld.ledger(dir)
        let scratch = dir.sub("cwd")
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let export = try dir.write("export.jsonl", try CLI.run(["export", ledger]).stdout)
        var system = SystemRandomNumberGenerator()
        let seed = UInt64.random(in: 0...UInt64.max, using: &system)
        var rng = SplitMix64(seed: seed)
        let commands = ["init", "append", "import", "export", "verify", "head", "budget", "kontrakte", "rebuild", "backup",
                        "help", "--help", "-h", "--version", "bogus", "", "-", "--"]
        let options = ["--side", "--org", "--jugendamt", "--type", "--key", "--data", "--actor", "--stream", "--as-of", "--from-seq",
                       "--sozialraum", "--year", "--quarter", "--format", "--public-key", "--head", "--views", "--preserve-recorded-at",
                       "--open-on", "--traeger", "--help", "--bogus", "-x", "--", "-"]
        let values = [ledger, export, dir.sub("nothing-here"), "-", "", " ", "0", "-1", "1", "4", "5", "2025", "99999999999999999999",
                      "2025-13-45", "2025-04-02", "2025-04-02T09:15:00Z", "konz", "saarburg", "json", "csv", "table", "xml", "jugendamt",
                      "traeger", "caritas", "HoursBooked", "TariffAdjusted", "{", "{}", "[]", "{\"minutes\":1}", "ü😀", "a\nb", "traeger:awo",
                      "intern", String(repeating: "f", count: 64), String(repeating: "x", count: 5000), "%s%n", "../..", "/"]
        var outcomes: [Int32: Int] = [:]
        var problems: [String] = []
        for _ in 0..<160 {
            var args = [commands.randomElement(using: &rng)!]
            for _ in 0..<Int.random(in: 0...6, using: &rng) {
                args.append(Int.random(in: 0..<3, using: &rng) == 0 ? options.randomElement(using: &rng)! : values.randomElement(using: &rng)!)
            }
            // Run inside a scratch folder, so that a random word taken as a folder lands there.
            let r = try Subprocess.run("/bin/sh", ["-c", "cd \"$0\" && exec \"$@\"", scratch, CLI.executable] + args, timeout: .seconds(30))
            outcomes[r.status ?? -(r.signal ?? 0), default: 0] += 1
            if r.signal != nil || ![0, 1, 2].contains(r.status ?? -1) {
                problems.append("\(args.map { String($0.prefix(40)) }): \(r)")
            }
        }
        print("fuzzing arguments: exit statuses \(outcomes.sorted { $0.key < $1.key }) (seed \(seed))")
        #expect(problems.isEmpty, "seed \(seed): \(problems.prefix(5).joined(separator: "\n"))")
        #expect(try CLI.run(["verify", ledger, "--views"]).status == 0, "the ledger survived")
    }
}
