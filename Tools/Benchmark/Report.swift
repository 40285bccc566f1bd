#if canImport(Glibc)
import Glibc
#endif

/// The table: figure, value, baseline, ratio, target, met?, peak RSS.
enum Report {
    static func print(_ metrics: [String: [String: Double]], settings: Settings) {
        let header = ["figure", "value", "baseline", "", "ratio", "target", "met", "peak RSS"]
        var lines: [[String]] = []
        for row in Row.all {
            guard let value = metrics[row.value.figure]?[row.value.metric] else { continue }
            let base = row.baseline.flatMap { metrics[$0.figure]?[$0.metric] }
            let ratio = base.map { value / $0 }
            let met = row.target.met(value: value, ratio: ratio)
            let rss = row.showsRSS ? metrics[row.value.figure]?["rss"].map(Unit.megabytes.format) ?? "" : ""
            lines.append([row.label, row.unit.format(value), base.map(row.unit.format) ?? "", base == nil ? "" : row.baselineLabel,
                          ratio.map { String(format2: $0) + "×" } ?? "", row.target.text,
                          met.map { $0 ? "yes" : "NO" } ?? "", rss])
        }
        // Every figure's peak RSS, including those without a row of their own.
        var memory: [[String]] = []
        for figure in Figure.all {
            guard let m = metrics[figure.name], let rss = m["rss"] else { continue }
            memory.append([figure.name, Unit.megabytes.format(rss), String(format1: m["processSeconds"] ?? 0),
                           String(format1: m["processCPUSeconds"] ?? 0), figure.summary])
        }
        Swift.print("")
        table([header] + lines, rightAligned: [1, 2, 4])
        Swift.print("")
        Swift.print("each figure's process (wall and CPU seconds include preparing its data):")
        table([["figure", "peak RSS", "wall s", "CPU s", "what it does"]] + memory, rightAligned: [1, 2, 3])
        Swift.print("\nmachine after the run: \(Machine.summary)")
        if let size = metrics["raw-put-10000"]?["valueBytes"] {
            Swift.print("\nstored value size: \(Int(size)) bytes on average (44-byte header + canonical JSON)")
        }
    }

    private static func table(_ rows: [[String]], rightAligned: Set<Int>) {
        guard let first = rows.first else { return }
        var widths = [Int](repeating: 0, count: first.count)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        for (n, r) in rows.enumerated() {
            var line = ""
            for (i, c) in r.enumerated() {
                let pad = String(repeating: " ", count: widths[i] - c.count)
                line += (rightAligned.contains(i) ? pad + c : c + pad) + (i + 1 < r.count ? "  " : "")
            }
            while line.last == " " { line.removeLast() }
            Swift.print(line)
            if n == 0 { Swift.print(String(repeating: "-", count: widths.reduce(0, +) + 2 * (widths.count - 1))) }
        }
    }
}

/// Removing scratch folders (flat folders of files, as LMDB and the ledger make them).
enum Scratch {
    static func remove(_ path: String) {
        guard let dir = opendir(path) else { unlink(path); return }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name == "." || name == ".." { continue }
            let full = path + "/" + name
            // d_type, not lstat: under member import visibility the NIO modules linked in claim `stat`.
            if entry.pointee.d_type == UInt8(DT_DIR) || (unlink(full) != 0 && errno == EISDIR) { remove(full) }
        }
        closedir(dir)
        rmdir(path)
    }
}

/// The machine, for the record: CPUs and how busy they are (the figures depend on both).
enum Machine {
    static var summary: String {
        var text = "\(sysconf(Int32(_SC_NPROCESSORS_ONLN))) CPUs"
        if let model = firstLine(of: "/proc/cpuinfo", startingWith: "model name") {
            text += ", " + (model.split(separator: ":", maxSplits: 1).last.map { String($0.drop { $0 == " " }) } ?? model)
        }
        if let load = firstLine(of: "/proc/loadavg", startingWith: "") {
            text += ", load average " + load.split(separator: " ").prefix(3).joined(separator: " ")
        }
        return text
    }

    static func firstLine(of path: String, startingWith prefix: String) -> String? {
        guard let f = fopen(path, "r") else { return nil }
        defer { fclose(f) }
        var line: UnsafeMutablePointer<CChar>?
        var cap = 0
        defer { free(line) }
        while getline(&line, &cap, f) > 0, let line {
            var text = String(decoding: UnsafeRawBufferPointer(start: line, count: strlen(line)), as: UTF8.self)
            while text.last == "\n" { text.removeLast() }
            if text.hasPrefix(prefix) { return text }
        }
        return nil
    }
}
