#if canImport(Glibc)
import Glibc
#endif

// doppelledger-bench: speed and memory of the ledger next to raw LMDB, measured in one run.
// See docs/PERFORMANCE.md for the last table and how to read it.

guard var settings = Settings.parse(Array(CommandLine.arguments.dropFirst())) else {
    printError(Settings.usage + "\n")
    exit(2)
}

// A child: run one figure and write its metrics.
if let name = settings.figure {
    guard let figure = Figure.all.first(where: { $0.name == name }), let result = settings.resultPath else {
        printError("doppelledger-bench: unknown figure \(name)\n")
        exit(2)
    }
    var metrics = Metrics()
    do {
        try figure.run(settings, &metrics)
    } catch {
        printError("doppelledger-bench: \(name): \(error)\n")
        exit(1)
    }
    metrics.write(to: result)
    exit(0)
}

// The parent: run each figure in a child, then print the table.
let ownDirectory = settings.directory.isEmpty
if ownDirectory {
    var template = Array("/tmp/doppelledger-bench-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else {
        printError("doppelledger-bench: cannot make a scratch folder in /tmp\n")
        exit(3)
    }
    settings.directory = String(cString: made)
} else {
    mkdir(settings.directory, 0o700)
}
for name in settings.only where !Figure.all.contains(where: { $0.name == name }) {
    printError("doppelledger-bench: unknown figure \(name); figures are \(Figure.all.map(\.name).joined(separator: ", "))\n")
    exit(2)
}

print("doppelledger-bench: \(settings.records) records\(settings.quick ? " (quick)" : ""), scratch \(settings.directory)")
print("machine: \(Machine.summary)")
var metrics: [String: [String: Double]] = [:]
var failed: [String] = []
for figure in Figure.all where settings.only.isEmpty || settings.only.contains(figure.name) {
    let resultPath = settings.directory + "/\(figure.name).metrics"
    let outcome = Child.run(["--figure", figure.name, "--result", resultPath] + settings.childArguments)
    var values = Metrics.read(from: resultPath)
    if outcome.exitStatus != 0 || values.isEmpty {
        failed.append(figure.name)
        print("  \(figure.name): FAILED (exit \(outcome.exitStatus))")
    } else {
        values["rss"] = Double(outcome.peakRSSBytes)
        values["processSeconds"] = outcome.seconds
        values["processCPUSeconds"] = outcome.cpuSeconds
        metrics[figure.name] = values
        print("  \(figure.name): \(String(format1: outcome.seconds)) s (CPU \(String(format1: outcome.cpuSeconds)) s), "
              + "peak RSS \(Unit.megabytes.format(Double(outcome.peakRSSBytes)))")
    }
    if !settings.keep { for folder in figure.removesAfter { Scratch.remove(settings.directory + "/" + folder) } }
}

Report.print(metrics, settings: settings)
if !settings.keep && ownDirectory { Scratch.remove(settings.directory) }
if !failed.isEmpty {
    printError("doppelledger-bench: figures failed: \(failed.joined(separator: ", "))\n")
    exit(1)
}

/// Writes a line to standard error.
func printError(_ text: String) {
    var line = Array(text.utf8)
    if line.last != 0x0A { line.append(0x0A) }
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}
