import Foundation
import Testing
import LedgerCore
import LedgerStore
import LMDB

/// A small, realistic district for the quarterly report: four Sozialräume with budgets,
/// agreements, Kontrakte, bookings, prevention, a payment, a reconciliation and a closed quarter.
/// Ids are distinctive so a test can prove none of them reaches the report.
enum ReportFixture {
    static let kontraktIds = (1...6).map { "kx-konz-car-\($0)" } + ["kx-konz-awo-1", "kx-konz-awo-2", "kx-schw-pal-1"]
        + (1...3).map { "kx-saar-car-\($0)" } + (1...5).map { "kx-herm-dbh-\($0)" }
    static var fallIds: [String] { kontraktIds.map { $0.replacingOccurrences(of: "kx-", with: "fall-") } }
    static var bookingIds: [String] { kontraktIds.flatMap { ["bq1-\($0)", "bq2a-\($0)", "bq2b-\($0)"] } + ["bprev-q2-1", "bprev-q2-2", "bprev-q2-3"] }
    static let paymentIds = ["pay-asd-77123"]
    static let signerIds = ["asd-zeichner-4711"]

    static func event(_ type: String, _ key: String, _ data: JSON) -> NewEvent {
        NewEvent(type: type, key: key, data: data.object!)
    }

    static func kontrakt(_ id: String, _ sz: String, _ traeger: String, _ hilfeart: String, from: String, granted: Int64) -> NewEvent {
        event("KontraktSigned", "sign-" + id, [
            "kontrakt": .string(id), "fall": .string(id.replacingOccurrences(of: "kx-", with: "fall-")), "sozialraum": .string(sz),
            "traeger": .string(traeger), "hilfeart": .string(hilfeart), "funding": "personalisiert", "grantedMinutes": .int(granted),
            "validFrom": .string(from), "validTo": "2025-12-31", "signedBy": .string(signerIds[0]),
        ])
    }

    static func hours(_ booking: String, _ kontrakt: String, _ date: String, _ minutes: Int64) -> NewEvent {
        event("HoursBooked", "key-" + booking, ["booking": .string(booking), "kontrakt": .string(kontrakt), "date": .string(date), "minutes": .int(minutes)])
    }

    static func agreement(_ traeger: String, _ sz: String, posts: Int64) -> NewEvent {
        event("AgreementSigned", "ag-\(sz)-\(traeger)", [
            "agreement": .string("ag-\(sz)-\(traeger)"), "traeger": .string(traeger), "sozialraum": .string(sz),
            "validFrom": "2024-01-01", "validTo": "2028-12-31", "stellenfaktorCents": 9_000_000,
            "jahresarbeitszeitMinutes": 96_000, "planstellenHundredths": .int(posts),
        ])
    }

    /// Fills `ledger`: everything of Q1 and Q2 2025 by mid-July, then the reconciliation with caritas.
    static func fill(_ ledger: Ledger) throws {
        var setup: [NewEvent] = [event("SignerAuthorized", "signer", ["signer": .string(signerIds[0]), "from": "2024-01-01"])]
        for (sz, cents) in [("konz", 100_000_000), ("schweich", 120_000_000), ("hermeskeil", 80_000_000), ("saarburg", 90_000_000)] as [(String, Int64)] {
            setup.append(event("BudgetSet", "budget-\(sz)", ["sozialraum": .string(sz), "year": 2025, "gesamtCents": .int(cents)]))
        }
        setup += [agreement("caritas", "konz", posts: 300), agreement("awo", "konz", posts: 150), agreement("palais", "schweich", posts: 200),
                  agreement("caritas", "saarburg", posts: 250), agreement("dbh", "hermeskeil", posts: 350)]
        var kontrakte: [NewEvent] = []
        for (i, id) in kontraktIds.enumerated() {
            let parts = id.split(separator: "-")
            let sz = ["konz": "konz", "schw": "schweich", "saar": "saarburg", "herm": "hermeskeil"][String(parts[1])]!
            let traeger = ["car": "caritas", "awo": "awo", "pal": "palais", "dbh": "dbh"][String(parts[2])]!
            let hilfeart = ["car": "31", "awo": "30", "pal": "28", "dbh": "30"][String(parts[2])]!
            // Two of Konz's §31 Kontrakte start in Q2: "begonnen" is then a small cell.
            let from = id == "kx-konz-car-5" || id == "kx-konz-car-6" ? "2025-04-10" : "2025-01-15"
            kontrakte.append(kontrakt(id, sz, traeger, hilfeart, from: from, granted: 6_000 + Int64(i) * 60))
        }
        _ = try ledger.append(setup + kontrakte, now: Timestamp(rfc3339: "2025-01-15T09:00:00Z")!)

        var q1: [NewEvent] = []
        for id in kontraktIds where !(id == "kx-konz-car-5" || id == "kx-konz-car-6") {
            q1.append(hours("bq1-\(id)", id, "2025-02-10", 300))
        }
        _ = try ledger.append(q1, now: Timestamp(rfc3339: "2025-03-05T16:00:00Z")!)

        var q2: [NewEvent] = []
        for id in kontraktIds {
            // Konz's awo Kontrakte get distinctive minutes (7 h 15 min each): their 14,5 h must not show.
            let minutes: Int64 = id.contains("awo") ? 435 : 360
            q2.append(hours("bq2a-\(id)", id, "2025-05-05", minutes))
            q2.append(hours("bq2b-\(id)", id, "2025-06-02", 240))
        }
        q2 += [
            event("PreventionBooked", "key-bprev-q2-1", ["booking": "bprev-q2-1", "traeger": "caritas", "sozialraum": "konz", "date": "2025-05-07", "minutes": 240, "category": "praevention"]),
            event("PreventionBooked", "key-bprev-q2-2", ["booking": "bprev-q2-2", "traeger": "caritas", "sozialraum": "konz", "date": "2025-06-04", "minutes": 240, "category": "netzwerk"]),
            event("PreventionBooked", "key-bprev-q2-3", ["booking": "bprev-q2-3", "traeger": "palais", "sozialraum": "schweich", "date": "2025-05-20", "minutes": 600, "category": "praevention"]),
            event("PaymentBooked", "key-pay", ["payment": .string(paymentIds[0]), "traeger": "caritas", "sozialraum": "konz", "payee": "fremdanbieter-1",
                                               "funding": "asd", "amountCents": 250_000, "date": "2025-05-15"]),
        ]
        _ = try ledger.append(q2, now: Timestamp(rfc3339: "2025-06-20T16:00:00Z")!)
        _ = try ledger.append([event("QuarterClosed", "close-q2", ["year": 2025, "quarter": 2])], now: Timestamp(rfc3339: "2025-07-08T10:00:00Z")!)
        _ = try ledger.append([event("ReconciliationRecorded", "rec-caritas-q2", [
            "year": 2025, "quarter": 2, "counterparty": "traeger:caritas",
            "ownHead": ["seq": 40, "hash": .string(String(repeating: "a", count: 64))],
            "counterpartyHead": ["seq": 31, "hash": .string(String(repeating: "b", count: 64))],
            "reportHash": .string("c0ffee" + String(repeating: "0", count: 58)), "findings": 2,
        ])], now: Timestamp(rfc3339: "2025-07-10T11:30:00Z")!)
    }

    static func ledger() throws -> Ledger {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dl-report-\(UUID().uuidString)").path
        var options = Environment.Options()
        options.noSync = true
        options.mapSizeBytes = 1 << 26
        let ledger = try Ledger.create(at: dir, side: .jugendamt, org: "trier-saarburg", jugendamt: nil,
                                       policy: DomainPolicy(views: Projector()), options: options)
        try fill(ledger)
        return ledger
    }
}

/// Whether the main elements of an HTML page open and close in proper nesting (void elements and
/// `/>` aside; the contents of `<style>` skipped). Returns the first problem, or nil.
func htmlNestingProblem(_ html: String) -> String? {
    let voids: Set<String> = ["meta", "br", "link", "img", "hr", "input", "wbr"]
    var stack: [String] = []
    var rest = Substring(html)
    while let open = rest.firstIndex(of: "<") {
        rest = rest[open...]
        if rest.hasPrefix("<!") {
            guard let end = rest.firstIndex(of: ">") else { return "unterminated declaration" }
            rest = rest[rest.index(after: end)...]
            continue
        }
        guard let end = rest.firstIndex(of: ">") else { return "unterminated tag" }
        let tag = rest[rest.index(after: open)..<end]
        rest = rest[rest.index(after: end)...]
        if tag.hasPrefix("/") {
            let name = String(tag.dropFirst()).lowercased()
            guard let top = stack.popLast() else { return "</\(name)> without an open element" }
            if top != name { return "</\(name)> closes <\(top)>" }
        } else {
            let name = String(tag.prefix { $0.isLetter || $0.isNumber }).lowercased()
            if name.isEmpty { return "a '<' that opens no tag: \(tag.prefix(20))" }
            if tag.hasSuffix("/") || voids.contains(name) { continue }
            if name == "style" {
                guard let close = rest.range(of: "</style>") else { return "unterminated <style>" }
                rest = rest[close.upperBound...]
                continue
            }
            stack.append(name)
        }
    }
    return stack.isEmpty ? nil : "unclosed: \(stack.joined(separator: ", "))"
}

@Suite struct QuarterlyReportTests {
    static let title = "Quartalsbericht Q2/2025 — Jugendamt Trier-Saarburg"

    @Test func htmlHasTheHeadingsAndKeyFigures() throws {
        let report = try ReportFixture.ledger().quarterlyReport(year: 2025, quarter: 2)
        let html = report.html
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"de\">"))
        #expect(html.contains("<title>\(Self.title)</title>"))
        #expect(html.contains("<h1>\(Self.title)</h1>"))
        for heading in ["1. Plan und Ist nach Sozialraum", "2. Sozialräume: Töpfe, Verbrauch, Prognose",
                        "3. Prävention und Netzwerkarbeit (mindestens 10 %)", "4. Fachleistungsstunden je Hilfeart und Träger (Q2/2025)",
                        "5. Hilfen (Kontrakte) je Hilfeart und Sozialraum (Q2/2025)", "7. Doppelcontrolling: Abgleich Q2/2025 mit den Trägern",
                        "8. Hinweise"] {
            #expect(html.contains("<h2>\(HTML.escape(heading))</h2>"), "missing heading \(heading)")
        }
        for sz in Sozialraum.allCases { #expect(html.contains("<h3>\(HTML.escape(sz.displayName))</h3>")) }
        // Gesamtfinanzvolumen of the district: 1.000.000 + 1.200.000 + 800.000 + 900.000 €.
        #expect(html.contains("3.900.000,00 €"))
        #expect(report.district.gesamtCents == 390_000_000)
        // Konz's prevention: 2 × 4 h at the caritas FLS of 90.000 € ÷ 1.600 h = 56,25 €/h → 450,00 €.
        #expect(report.areas.first { $0.sozialraum == .konz }?.pot(.praevention)?.consumedCents == 45_000)
        #expect(html.contains("450,00 €"))
        // The ASD payment of 2.500,00 € is Konz's ASD consumption.
        #expect(report.areas.first { $0.sozialraum == .konz }?.pot(.asd)?.consumedCents == 250_000)
        // Charts are inline SVG: the overview, per Sozialraum two, and prevention.
        #expect(html.components(separatedBy: "<svg ").count - 1 == 1 + 2 * 4 + 1)
        #expect(html.contains("Quartal abgeschlossen am 08.07.2025, 10:00 UTC"))
    }

    @Test func htmlIsSelfContainedAndWellFormed() throws {
        let html = try ReportFixture.ledger().quarterlyReport(year: 2025, quarter: 2).html
        #expect(htmlNestingProblem(html) == nil, "\(htmlNestingProblem(html) ?? "")")
        // The checker itself catches crossed and unclosed elements.
        #expect(htmlNestingProblem("<div><span></div></span>") != nil)
        #expect(htmlNestingProblem("<section><table></table>") != nil)
        for forbidden in ["<script", "http:", "https:", "<link", "@import", "url(", "<img", "<iframe"] {
            #expect(!html.lowercased().contains(forbidden), "the page must not load anything: found \(forbidden)")
        }
        #expect(html.contains("@media print"))
        for tag in ["section", "table", "svg", "figure", "article", "ul"] {
            #expect(html.components(separatedBy: "<\(tag)").count == html.components(separatedBy: "</\(tag)>").count, "unbalanced <\(tag)>")
        }
    }

    @Test func noKontraktFallBookingOrStaffIdAppears() throws {
        let report = try ReportFixture.ledger().quarterlyReport(year: 2025, quarter: 2)
        let outputs = [report.html, report.markdown]
        let ids = ReportFixture.kontraktIds + ReportFixture.fallIds + ReportFixture.bookingIds + ReportFixture.paymentIds + ReportFixture.signerIds
            + ["fremdanbieter-1", "ag-konz-caritas"]
        for text in outputs {
            for id in ids { #expect(!text.contains(id), "the report names \(id)") }
            #expect(!text.contains("kx-") && !text.contains("fall-") && !text.contains("bq"), "an id prefix leaked")
        }
    }

    @Test func smallCellsAreSuppressed() throws {
        let report = try ReportFixture.ledger().quarterlyReport(year: 2025, quarter: 2)
        let md = report.markdown
        // Running in Q2: §28 one Kontrakt → "< 5"; then the total (17) would reveal it, so the
        // smallest other cell (§30: 7) is hidden too. §31 has 9.
        #expect(md.contains("| § 28 Erziehungsberatung | < 5 |"))
        #expect(md.contains("| § 30 Erziehungsbeistandschaft | • |"))
        #expect(md.contains("| § 31 Sozialpäd. Familienhilfe | 9 | < 5 |"))
        #expect(md.contains("| **Summe** | **17** |"))
        let byHilfeart = Dictionary(uniqueKeysWithValues: report.casesByHilfeart.map { ($0.label, $0) })
        #expect(byHilfeart[Hilfeart.erziehungsberatung.displayName]?.running == .small)
        #expect(byHilfeart[Hilfeart.familienhilfe.displayName]?.started == .small)
        // Hours: Konz's two awo Kontrakte (§30) are merged with dbh's five; §28 (one Kontrakt) joins
        // the smallest Hilfeart as "weitere Hilfearten". Awo's own 14,5 h appear nowhere.
        #expect(!md.contains("14,5 h"))
        #expect(md.contains("weitere Hilfearten (zusammengefasst: § 28, § 30)"))
        for block in report.hours {
            for line in block.lines + [block.total] { #expect(line.kontrakte >= Suppression.minimum || line.grantedMinutes == nil) }
        }
        #expect(!report.hours.contains { $0.lines.contains { $0.traeger == "awo" } })
        // Case minutes: Schweich (one Kontrakt) and Saarburg (three) are hidden; the district's
        // total rests on 17 and is shown (two hidden cells: the total reveals neither).
        let schweich = try #require(report.areas.first { $0.sozialraum == .schweich })
        #expect(schweich.caseMinutes == nil && schweich.teamShareBasisPoints == nil)
        #expect(report.areas.filter { $0.caseMinutes == nil }.count == 2)
        #expect(report.district.caseMinutes != nil)
        #expect(md.contains("| Ruwer / Schweich / Trier-Land | 10,0 h | 0,0 h | • | • |"))
    }

    @Test func reconciliationStatusPerTraeger() throws {
        let ledger = try ReportFixture.ledger()
        let report = try ledger.quarterlyReport(year: 2025, quarter: 2)
        let lines = Dictionary(uniqueKeysWithValues: report.reconciliation.map { ($0.counterparty, $0) })
        #expect(Set(lines.keys) == ["awo", "caritas", "dbh", "palais"])
        #expect(lines["caritas"]?.latest?.findings == 2)
        #expect(lines["caritas"]?.latest?.recordedAt == Timestamp(rfc3339: "2025-07-10T11:30:00Z"))
        #expect(lines["awo"]?.latest == nil)
        let md = report.markdown
        #expect(md.contains("| caritas | abgeglichen, mit Abweichungen | 10.07.2025, 11:30 UTC | 2 | Datensatz 40 | Datensatz 31 | c0ffee0000000000 |"))
        #expect(md.contains("| awo | nicht abgeglichen |"))
        #expect(md.contains("Noch nicht abgeglichen (Doppelcontrolling) mit: awo, dbh, palais."))
        // As of before the reconciliation was recorded, caritas is not reconciled either.
        let before = try ledger.quarterlyReport(year: 2025, quarter: 2, asOf: Timestamp(rfc3339: "2025-07-09T00:00:00Z")!)
        #expect(before.reconciliation.allSatisfy { $0.latest == nil })
        #expect(before.markdown.contains("| caritas | nicht abgeglichen |"))
    }

    @Test func markdownCarriesTheSameFigures() throws {
        let report = try ReportFixture.ledger().quarterlyReport(year: 2025, quarter: 2)
        let md = report.markdown
        #expect(md.hasPrefix("# \(Self.title)\n"))
        #expect(md.contains("| **Landkreis gesamt** | **3.900.000,00 €** |"))
        #expect(md.contains("## 8. Hinweise"))
        #expect(!md.contains("<svg") && !md.contains("<table"))
        // Every amount in the Markdown overview is also in the HTML.
        for area in report.areas { #expect(report.html.contains(Format.euro(area.consumedCents))) }
        // The same records give the same bytes (no generation time in the report).
        let again = try ReportFixture.ledger().quarterlyReport(year: 2025, quarter: 2)
        #expect(again.markdown == md && again.html == report.html)
    }

    @Test func aTraegerLedgerWithoutBudgetStillRenders() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dl-report-tr-\(UUID().uuidString)").path
        var options = Environment.Options()
        options.noSync = true
        options.mapSizeBytes = 1 << 24
        let ledger = try Ledger.create(at: dir, side: .traeger, org: "caritas", jugendamt: "trier-saarburg",
                                       policy: DomainPolicy(views: Projector()), options: options)
        let report = try ledger.quarterlyReport(year: 2025, quarter: 1)
        #expect(report.title == "Quartalsbericht Q1/2025 — Träger Caritas")
        #expect(htmlNestingProblem(report.html) == nil)
        #expect(report.markdown.contains("| Gesamtfinanzvolumen 2025 | kein Budget gesetzt |"))
        #expect(report.markdown.contains("Datenstand: noch keine Datensätze"))
        // Its counterparty is its Jugendamt, not reconciled yet.
        #expect(report.reconciliation.map(\.ledger) == ["jugendamt:trier-saarburg"])
        #expect(report.markdown.contains("## 7. Doppelcontrolling: Abgleich Q1/2025 mit dem Jugendamt"))
    }

    @Test func suppressionRules() {
        #expect(Suppression.column([3, 10, 0]).cells == [.small, .hidden, .value(0)])
        #expect(Suppression.column([3, 10, 0]).total == .value(13))
        #expect(Suppression.column([3, 4, 12]).cells == [.small, .small, .value(12)]) // two small cells: the total reveals neither
        #expect(Suppression.column([2]).total == .small)
        #expect(Suppression.column([0, 5]).cells == [.value(0), .value(5)])
        #expect(Suppression.Cell.small.text == "< 5" && Suppression.Cell.hidden.text == "•")
        let (shown, merged) = Suppression.merge([6, 2, 9] as [Int64]) { $0 }
        #expect(shown == [9] && merged == [6, 2])
        let (all, none) = Suppression.merge([5, 7] as [Int64]) { $0 }
        #expect(all == [5, 7] && none.isEmpty)
        #expect(HTML.escape("<b class=\"x\">Tom & 'Jerry'</b>") == "&lt;b class=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/b&gt;")
    }

    @Test func germanFormats() {
        #expect(Format.date(CalendarDate("2025-06-30")!) == "30.06.2025")
        #expect(Format.moment(Timestamp(rfc3339: "2025-07-03T08:05:00Z")!) == "03.07.2025, 08:05 UTC")
        #expect(Format.percentShort(4_962) == "49,6 %")
        #expect(Format.percentShort(10_000) == "100,0 %")
        #expect(Format.percentAxis(2_500) == "25 %")
        #expect(Format.euroThousands(25_049_999) == "250 T€")
    }
}

/// Renders the HTML report in headless Chromium (Debian's `chromium`, installed by Tools/setup.sh).
@Suite struct ReportChromiumTests {
    static func chromium() -> String? {
        for dir in ["/usr/bin", "/usr/local/bin", "/snap/bin"] {
            for name in ["chromium", "chromium-browser", "google-chrome"] where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
                return "\(dir)/\(name)"
            }
        }
        return nil
    }

    /// Runs a program; returns its exit status and standard output.
    static func run(_ path: String, _ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func rendersAndIsNotBlank() throws {
        guard let chromium = Self.chromium() else {
            Issue.record("chromium is not installed: run Tools/setup.sh (it installs Debian's chromium package); the report's rendering test needs it")
            return
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dl-report-render-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let page = dir.appendingPathComponent("q2.html")
        try Data(try ReportFixture.ledger().quarterlyReport(year: 2025, quarter: 2).html.utf8).write(to: page)
        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                      "--user-data-dir=\(dir.path)/profile"]

        // Chromium parses the page into the expected headings.
        let (domStatus, dom) = try Self.run(chromium, common + ["--dump-dom", page.absoluteString])
        #expect(domStatus == 0)
        #expect(dom.contains("<h1>Quartalsbericht Q2/2025 — Jugendamt Trier-Saarburg</h1>"))
        #expect(dom.components(separatedBy: "<h2>").count - 1 == 8)
        #expect(dom.contains("3.900.000,00 €"))

        // And draws it: a PNG of the window's size that is not one colour.
        let shot = dir.appendingPathComponent("q2.png")
        let (status, _) = try Self.run(chromium, common + ["--screenshot=\(shot.path)", "--window-size=1280,2000", page.absoluteString])
        #expect(status == 0)
        let png = try Data(contentsOf: shot)
        try #require(png.count > 33 && png.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "not a PNG")
        func be32(_ at: Int) -> Int { png[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        #expect(be32(16) == 1280 && be32(20) == 2000)
        // Inflate the image data (Python's zlib) and count rows that are not a single colour: a
        // filtered row of one colour is all zeros after its filter byte (or one repeated pixel).
        let script = """
        import sys, zlib, struct
        d = open(sys.argv[1], 'rb').read(); p = 8; idat = b''
        while p < len(d):
            n, t = struct.unpack('>I4s', d[p:p+8])
            if t == b'IHDR': w, h, depth, ctype = struct.unpack('>IIBB', d[p+8:p+18])
            if t == b'IDAT': idat += d[p+8:p+8+n]
            p += 12 + n
        bpp = {2: 3, 6: 4}[ctype]; raw = zlib.decompress(idat); stride = w * bpp; busy = 0
        for y in range(h):
            f = raw[y*(stride+1)]; row = raw[y*(stride+1)+1:(y+1)*(stride+1)]
            uniform = row[bpp:] == row[:-bpp] if f == 0 else row[bpp:].count(0) == stride - bpp
            busy += 0 if uniform else 1
        print(busy, h, len(set(raw)))
        """
        let (pyStatus, result) = try Self.run("/usr/bin/env", ["python3", "-c", script, shot.path])
        #expect(pyStatus == 0)
        let numbers = result.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        try #require(numbers.count == 3, "could not analyse the screenshot: \(result)")
        // A blank page has no busy row; the report's text, tables and charts fill more than half of them.
        #expect(numbers[0] * 4 > numbers[1], "only \(numbers[0]) of \(numbers[1]) rows show anything")
        #expect(numbers[2] > 100, "only \(numbers[2]) distinct byte values: the screenshot looks blank")
    }
}

/// The `report` command as a user runs it (the binary built beside the tests).
@Suite struct ReportCommandTests {
    static func binary() -> String? {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for dir in [bundle, bundle.deletingLastPathComponent()] {
            let path = dir.appendingPathComponent("doppelledger").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(binary(), "build the doppelledger binary first (swift build --build-tests)"))
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    @Test func writesTheReportAndRefusesBadInput() throws {
        let ledger = try ReportFixture.ledger()
        let output = ledger.directory + "-q2.md"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let ok = try Self.run(["report", ledger.directory, "--year", "2025", "--quarter", "2", "--format", "md", "--output", output])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("wrote the quarterly report Q2/2025"))
        let text = try String(contentsOfFile: output, encoding: .utf8)
        #expect(text.hasPrefix("# Quartalsbericht Q2/2025 — Jugendamt Trier-Saarburg\n"))
        #expect(text == (try ledger.quarterlyReport(year: 2025, quarter: 2)).markdown)

        let html = try Self.run(["report", ledger.directory, "--year", "2025", "--quarter", "2", "--format", "html"])
        #expect(html.status == 0 && html.stdout.hasPrefix("<!DOCTYPE html>"))

        let badQuarter = try Self.run(["report", ledger.directory, "--year", "2025", "--quarter", "5", "--format", "html", "--output", output + ".x"])
        #expect(badQuarter.status == 2 && badQuarter.stderr.contains("--quarter"))
        let badFormat = try Self.run(["report", ledger.directory, "--year", "2025", "--quarter", "2", "--format", "pdf"])
        #expect(badFormat.status == 2)
        #expect(!FileManager.default.fileExists(atPath: output + ".x"))
    }
}
