import Testing
import LedgerCore
import Foundation

/// The human (Markdown, German) and spreadsheet (CSV) forms of a reconciliation.
@Suite struct ReconciliationFormatsTests {
    func sample() throws -> Reconciliation {
        let s = ReconcileScenario()
        try s.jugendamt.append("KontraktSigned", ReconcileScenario.kontraktData("k-1", granted: 600))
        try s.traeger.append("KontraktSigned", ReconcileScenario.kontraktData("k-1", granted: 500))
        try s.hours("b-1", "k-1", "2025-04-07", 90, on: .traeger)
        try s.payment("z-1", "2025-04-15", 123_456, on: .jugendamt)
        return try s.reconcile(asOf: ts("2025-07-15T12:00:00Z"))
    }

    @Test func markdownSpeaksGermanWithHoursAndEuros() throws {
        let r = try sample()
        let md = ReconciliationMarkdown.render(r)
        let lines = md.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "# Abgleich Q2/2025: Jugendamt trier-saarburg ↔ Träger caritas")
        #expect(md.contains("| Stand | Erfasst bis 15.07.2025 12:00:00 UTC |"))
        #expect(md.contains("| Quartal | 01.04.2025 – 30.06.2025 (Leistungsdatum) |"))
        #expect(md.contains("| Ergebnis | **4 Abweichungen** |"))
        let rows = lines.filter { $0.hasPrefix("| 1 |") || $0.hasPrefix("| 2 |") || $0.hasPrefix("| 3 |") || $0.hasPrefix("| 4 |") }
        #expect(rows == [
            "| 1 | Kontrakt weicht ab | k-1 |  | Bewilligte Zeit | 10:00 Std. | 8:20 Std. | `3c2ecb7e493ff8a5` |",
            "| 2 | Buchung fehlt beim Jugendamt | k-1 | b-1 |  | — | 07.04.2025 · 1:30 Std. | `\(r.findings[1].id)` |",
            "| 3 | Zahlung fehlt beim Träger |  | z-1 |  | 15.04.2025 · 1.234,56 € · an caritas · Variabel (20 %) · Konz | — | `\(r.findings[2].id)` |",
            "| 4 | Stunden im Quartal weichen ab | k-1 |  |  | 0:00 Std. | 1:30 Std. | `\(r.findings[3].id)` |",
        ])
    }

    @Test func markdownOfAReconciledQuarterSaysSo() throws {
        let s = ReconcileScenario()
        try s.kontrakt("k-1")
        let md = ReconciliationMarkdown.render(try s.reconcile())
        #expect(md.contains("| Ergebnis | **Keine Abweichungen: das Quartal ist abgestimmt.** |"))
        #expect(!md.contains("## Abweichungen"))
    }

    @Test func csvIsOneFindingARowWithBOMAndRFC4180Quoting() throws {
        let r = try sample()
        let bytes = ReconciliationCSV.render(r)
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
        #expect(text.hasSuffix("\r\n"))
        let rows = text.components(separatedBy: "\r\n").dropLast()
        #expect(rows.count == 1 + r.findings.count)
        #expect(rows[0] == "id,kind,label,traeger,kontrakt,booking,payment,field,side,jugendamtValue,traegerValue")
        #expect(rows[1] == "3c2ecb7e493ff8a5,kontrakt-mismatch,Kontrakt weicht ab,caritas,k-1,,,grantedMinutes,,600,500")
        #expect(rows[2] == "\(r.findings[1].id),booking-missing-at-jugendamt,Buchung fehlt beim Jugendamt,caritas,k-1,b-1,,,,,"
                + "\"{\"\"date\"\":\"\"2025-04-07\"\",\"\"kontrakt\"\":\"\"k-1\"\",\"\"minutes\"\":90,\"\"type\"\":\"\"HoursBooked\"\"}\"")
        #expect(rows[4] == "\(r.findings[3].id),hours-mismatch,Stunden im Quartal weichen ab,caritas,k-1,,,,,0,90")
    }
}
