import Foundation
import Testing
import LedgerCore
import LedgerStore

/// `doppelledger reconcile` as a user runs it, on real ledgers and export files.
@Suite struct ReconcileCommandTests {
    func kinds(_ r: CLIResult) -> [String] {
        guard case .array(let findings)? = r.json.object?["findings"] else { return [] }
        return findings.compactMap { $0.object?["kind"]?.string }
    }

    @Test func anAgreeingQuarterReconcilesWithExitZero() throws {
        let s = try LedgerScenario()
        try s.agreeingQuarter()
        let md = try CLI.reconcile(s.jugendamtPath, s.traegerPath)
        #expect(md.status == 0, "\(md.stderr)")
        #expect(md.text.hasPrefix("# Abgleich Q2/2025: Jugendamt trier-saarburg ↔ Träger caritas\n"))
        #expect(md.text.contains("**Keine Abweichungen: das Quartal ist abgestimmt.**"))
        let json = try CLI.reconcile(s.jugendamtPath, s.traegerPath, "--format", "json")
        #expect(json.status == 0)
        #expect(json.json.object?["reconciled"] == .bool(true))
        #expect(json.json.object?["findings"] == .array([]))
    }

    @Test func findingsGiveExitOne() throws {
        let s = try LedgerScenario()
        try s.agreeingQuarter()
        try s.kontrakt("k-3", on: .jugendamt)
        try s.hours("b-3", "k-1", "2025-06-02", 45, on: .traeger)
        let r = try CLI.reconcile(s.jugendamtPath, s.traegerPath, "--format", "json")
        #expect(r.status == 1, "\(r.stderr)")
        #expect(kinds(r) == ["kontrakt-missing-at-traeger", "booking-missing-at-jugendamt", "hours-mismatch"])
        #expect(r.stderr.isEmpty)
    }

    @Test func theSameInputsGiveIdenticalBytesFromFoldersAndExports() throws {
        let s = try LedgerScenario()
        try s.agreeingQuarter()
        try s.hours("b-9", "k-1", "2025-04-20", 30, on: .jugendamt)
        let first = try CLI.reconcile(s.jugendamtPath, s.traegerPath, "--format", "json")
        let second = try CLI.reconcile(s.jugendamtPath, s.traegerPath, "--format", "json")
        #expect(first.status == 1)
        #expect(!first.stdout.isEmpty)
        #expect(first.stdout == second.stdout)
        // A whole-ledger export of the Träger and a one-stream export of the Jugendamt say the same.
        let trFile = try s.export(.traeger, name: "tr.jsonl")
        let jaFile = try s.export(.jugendamt, stream: "traeger:caritas", name: "ja-caritas.jsonl")
        let fromFiles = try CLI.reconcile(jaFile, trFile, "--format", "json")
        #expect(fromFiles.stdout == first.stdout)
        // A whole-ledger export of the Jugendamt (with its intern stream) too.
        let jaFull = try s.export(.jugendamt, name: "ja.jsonl")
        #expect(try CLI.reconcile(jaFull, s.traegerPath, "--format", "json").stdout == first.stdout)
        let csv1 = try CLI.reconcile(s.jugendamtPath, trFile, "--format", "csv")
        let csv2 = try CLI.reconcile(s.jugendamtPath, trFile, "--format", "csv")
        #expect(csv1.stdout == csv2.stdout)
        #expect(Array(csv1.stdout.prefix(3)) == [0xEF, 0xBB, 0xBF])
    }

    @Test func aTamperedLedgerIsRefusedBeforeAnyComparison() throws {
        let s = try LedgerScenario()
        try s.agreeingQuarter()
        s.close()
        // Change the Träger's booking b-1 from 90 to 99 minutes in the data file itself.
        let file = s.traegerPath + "/data.mdb"
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        let original = Array("\"minutes\":90}".utf8), altered = Array("\"minutes\":99}".utf8)
        var bytes = Array(data)
        var changed = 0
        var i = 0
        while i + original.count <= bytes.count {
            if bytes[i..<(i + original.count)].elementsEqual(original) {
                bytes.replaceSubrange(i..<(i + original.count), with: altered)
                changed += 1
            }
            i += 1
        }
        #expect(changed > 0)
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let r = try CLI.reconcile(s.jugendamtPath, s.traegerPath)
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("--traeger \(s.traegerPath) fails verification: record 3:"))
        #expect(r.stderr.contains("nothing was compared"))
    }

    @Test func aTamperedExportIsRefusedBeforeAnyComparison() throws {
        let s = try LedgerScenario()
        try s.agreeingQuarter()
        let file = try s.export(.jugendamt, name: "ja.jsonl")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try text.replacingOccurrences(of: "\"amountCents\":123456", with: "\"amountCents\":923456")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let r = try CLI.reconcile(file, s.traegerPath, "--format", "json")
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("--jugendamt \(file) fails verification: record 7: hash does not match its content"))
    }

    @Test func asOfAnEarlierTimeALateBookingIsMissingAndAfterwardsNot() throws {
        let s = try LedgerScenario()
        try s.kontrakt("k-1")
        try s.hours("b-1", "k-1", "2025-05-10", 90, on: .jugendamt, at: Timestamp(rfc3339: "2025-05-12T10:00:00Z"))
        try s.hours("b-1", "k-1", "2025-05-10", 90, on: .traeger, at: Timestamp(rfc3339: "2025-07-20T09:00:00Z"))
        let early = try CLI.reconcile(s.jugendamtPath, s.traegerPath, "--format", "json", "--as-of", "2025-07-15T00:00:00Z")
        #expect(early.status == 1)
        #expect(kinds(early) == ["booking-missing-at-traeger", "hours-mismatch"])
        #expect(early.json.object?["asOf"] == .string("2025-07-15T00:00:00Z"))
        let later = try CLI.reconcile(s.jugendamtPath, s.traegerPath, "--format", "json", "--as-of", "2025-07-31")
        #expect(later.status == 0)
        #expect(kinds(later) == [])
    }

    @Test func recordAppendsASignedReconciliationToEachLedgerOnce() throws {
        let s = try LedgerScenario()
        try s.agreeingQuarter()
        try s.hours("b-9", "k-1", "2025-04-20", 30, on: .jugendamt)
        let out = s.root + "/q2.json"
        let r = try CLI.reconcile(s.jugendamtPath, s.traegerPath, "--format", "json", "--output", out, "--record")
        #expect(r.status == 1, "\(r.stderr)")
        let report = Array(try Data(contentsOf: URL(fileURLWithPath: out)))
        let reportJSON = try JSONParser.parse(report).object!
        let reportHash = Digest32.sha256(report).hex
        s.close()

        for (path, own, counterparty, stream) in [
            (s.jugendamtPath, "jugendamt", "traeger", "traeger:caritas"),
            (s.traegerPath, "traeger", "jugendamt", "jugendamt:trier-saarburg"),
        ] {
            let ledger = try Ledger.open(at: path, policy: DomainPolicy())
            let last = try ledger.record(seq: try ledger.head().seq)!
            #expect(last.type == "ReconciliationRecorded")
            #expect(last.stream == stream)
            let data = last.data
            #expect(data["year"] == 2025 && data["quarter"] == 2 && data["findings"] == 2)
            #expect(data["reportHash"] == .string(reportHash))
            #expect(data["counterparty"] == reportJSON[counterparty]?.object?["ledger"])
            #expect(data["ownHead"] == reportJSON[own]?.object?["head"])
            #expect(data["counterpartyHead"] == reportJSON[counterparty]?.object?["head"])
            let signature = data["reportSignature"]?.string ?? ""
            #expect(verifySignature(signature, of: report, publicKeyHex: ledger.publicKeyHex))
            #expect(try ledger.verify().isValid)
        }
        let sig = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: out + ".sig.json")))).object!
        #expect(sig["reportHash"] == .string(reportHash))
        guard case .array(let signatures)? = sig["signatures"] else { Issue.record("no signatures"); return }
        #expect(signatures.count == 2)

        // Again: the recorded reconciliations cause no finding, the report is the same, nothing is appended.
        let heads = try [s.jugendamtPath, s.traegerPath].map { try Ledger.open(at: $0, policy: DomainPolicy()).head().seq }
        let again = try CLI.reconcile(s.jugendamtPath, s.traegerPath, "--format", "json", "--record")
        #expect(again.status == 1)
        #expect(again.stdout == report)
        #expect(again.stderr.contains("nothing appended"))
        #expect(try [s.jugendamtPath, s.traegerPath].map { try Ledger.open(at: $0, policy: DomainPolicy()).head().seq } == heads)
    }

    @Test func badUsageExitsTwo() throws {
        let s = try LedgerScenario()
        try s.agreeingQuarter()
        let file = try s.export(.traeger, name: "tr.jsonl")
        let wrongQuarter = try CLI.run(["reconcile", "--jugendamt", s.jugendamtPath, "--traeger", s.traegerPath, "--year", "2025", "--quarter", "5"])
        #expect(wrongQuarter.status == 2)
        #expect(wrongQuarter.stderr.contains("--quarter must be 1, 2, 3 or 4"))
        let swapped = try CLI.reconcile(s.traegerPath, s.jugendamtPath)
        #expect(swapped.status == 2)
        #expect(swapped.stderr.contains("holds traeger:caritas, a Träger's ledger"))
        #expect(try CLI.reconcile(s.jugendamtPath, s.traegerPath, "--format", "pdf").status == 2)
        #expect(try CLI.reconcile(s.jugendamtPath, s.traegerPath, "--as-of", "yesterday").status == 2)
        let noFolder = try CLI.reconcile(try s.export(.jugendamt, name: "ja.jsonl"), file, "--record")
        #expect(noFolder.status == 2)
        #expect(noFolder.stderr.contains("--record needs a ledger folder"))
        // A mirror is a folder, but read only: recording needs a ledger folder all the same.
        let mirror = s.root + "/mirrors/traeger-caritas"
        try FileManager.default.createDirectory(atPath: mirror, withIntermediateDirectories: true)
        try Data("{}\n".utf8).write(to: URL(fileURLWithPath: mirror + "/" + MirrorStore.markerFile))
        let mirrorOnly = try CLI.reconcile(try s.export(.jugendamt, name: "ja2.jsonl"), mirror, "--record")
        #expect(mirrorOnly.status == 2)
        #expect(mirrorOnly.stderr.contains("--record needs a ledger folder"))
        let otherStream = try s.export(.jugendamt, stream: "intern", name: "intern.jsonl")
        let wrongStream = try CLI.reconcile(otherStream, file)
        #expect(wrongStream.status == 2)
        #expect(wrongStream.stderr.contains("is an export of stream intern, not of traeger:caritas"))
    }

    @Test func theJSONReportMatchesItsSchema() throws {
        let s = try LedgerScenario()
        try s.agreeingQuarter()
        try s.kontrakt("k-3", on: .traeger, granted: 60)
        try s.hours("b-3", "k-3", "2025-06-02", 75, on: .traeger)
        try s.hours("b-4", "k-1", "2025-06-02", 45, on: .jugendamt)
        let out = s.root + "/report.json"
        let r = try CLI.reconcile(s.jugendamtPath, s.traegerPath, "--format", "json", "--output", out, "--as-of", "2026-01-01")
        #expect(r.status == 1)
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let schema = root.appendingPathComponent("Schemas/reconciliation-report.schema.json").path
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", "-c", """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            jsonschema.Draft202012Validator.check_schema(schema)
            jsonschema.Draft202012Validator(schema).validate(json.load(open(sys.argv[2])))
            """, schema, out]
        try check.run()
        check.waitUntilExit()
        #expect(check.terminationStatus == 0, "the report does not match Schemas/reconciliation-report.schema.json (needs python3-jsonschema, see Tools/setup.sh)")
    }
}
