import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A Konz world on a Jugendamt ledger, as import lines: a signer, the year's budget, Caritas's
/// agreement and `kontrakte` Kontrakte, so that booked hours move the budget views.
enum KonzWorld {
    static func setupText(kontrakte: Int = 4) -> String {
        var lines = [
            #"{"type":"SignerAuthorized","key":"s-asd-07","actor":"asd-07","data":{"signer":"asd-07","from":"2025-01-01"}}"#,
            #"{"type":"BudgetSet","key":"bs-konz-2025","actor":"asd-07","data":{"sozialraum":"konz","year":2025,"gesamtCents":104000000}}"#,
            #"{"type":"AgreementSigned","key":"ag-caritas-konz","actor":"asd-07","data":{"agreement":"kv-caritas-konz-2025","traeger":"caritas","sozialraum":"konz","validFrom":"2025-01-01","validTo":"2028-12-31","stellenfaktorCents":8500000,"jahresarbeitszeitMinutes":96000,"planstellenHundredths":250}}"#,
        ]
        for k in 0..<kontrakte {
            lines.append(#"{"type":"KontraktSigned","key":"ks-\#(k)","actor":"asd-07","data":{"kontrakt":"\#(kontrakt(k))","fall":"f-\#(k)","sozialraum":"konz","traeger":"caritas","hilfeart":"31","funding":"\#(k % 2 == 0 ? "variabel" : "personalisiert")","grantedMinutes":\#(6000 + k * 60),"validFrom":"2025-02-01","validTo":"2025-07-31","signedBy":"asd-07"}}"#)
        }
        return lines.map { $0 + "\n" }.joined()
    }

    static func kontrakt(_ k: Int) -> String { "k-2025-konz-\(k)" }

    /// One HoursBooked line (on Kontrakt `n % kontrakte`), key `key`.
    static func hoursLine(key: String, n: Int, kontrakte: Int = 4) -> String {
        let day = n % 28 + 1
        return #"{"type":"HoursBooked","key":"\#(key)","actor":"asd-07","data":{"booking":"b-\#(key)","kontrakt":"\#(kontrakt(n % kontrakte))","date":"2025-03-\#(day < 10 ? "0" : "")\#(day)","minutes":\#(n % 240 + 15)}}"#
    }

    /// Arguments of `doppelledger append` for one HoursBooked.
    static func appendHoursArgs(_ dir: String, key: String, n: Int, kontrakte: Int = 4) -> [String] {
        let day = n % 28 + 1
        return ["append", dir, "--type", "HoursBooked", "--key", key, "--actor", "asd-07", "--data",
                #"{"booking":"b-\#(key)","kontrakt":"\#(kontrakt(n % kontrakte))","date":"2025-03-\#(day < 10 ? "0" : "")\#(day)","minutes":\#(n % 240 + 15)}"#]
    }

    /// A ledger with the world set up.
    static func ledger(_ dir: TempDir, _ name: String = "ledger", kontrakte: Int = 4) throws -> String {
        let path = try initLedger(dir, name)
        let file = try dir.write("\(name)-setup.jsonl", setupText(kontrakte: kontrakte))
        let r = try CLI.run(["import", path, file])
        guard r.status == 0 else { throw Subprocess.Failure(description: "setup import failed: \(r)") }
        return path
    }
}

/// The views a user reads, as one string: the Konz budget (whole year and Q1) and the Kontrakte, as JSON.
func viewsJSON(_ ledger: String) throws -> String {
    var out = ""
    for args in [["budget", ledger, "--sozialraum", "konz", "--year", "2025", "--format", "json"],
                 ["budget", ledger, "--sozialraum", "konz", "--year", "2025", "--quarter", "1", "--format", "json"],
                 ["kontrakte", ledger, "--format", "json"]] {
        let r = try CLI.run(args)
        guard r.status == 0 else { throw Subprocess.Failure(description: "\(args.prefix(2)) failed: \(r)") }
        out += r.stdout
    }
    return out
}

/// The keys of an export's records, in order.
func exportKeys(_ text: String) -> [String] {
    text.split(separator: "\n").compactMap { line in
        guard let r = line.range(of: #""key":""#) else { return nil }
        let rest = line[r.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}

/// Whether the process runs as root (needed to mount a small filesystem).
var isRoot: Bool { geteuid() == 0 }

extension ProcessResult {
    /// Ended by a signal (a crash, or killed).
    var crashed: Bool { signal != nil }
    /// Standard error holds exactly one line that starts with "doppelledger:".
    var oneClearLine: Bool {
        let lines = stderr.split(separator: "\n")
        return lines.count == 1 && lines[0].hasPrefix("doppelledger: ") && lines[0].count > 30
    }
}
