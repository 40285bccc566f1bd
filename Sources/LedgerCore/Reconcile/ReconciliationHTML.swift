/// The reconciliation as one self-contained, printable HTML page (German labels, no scripts).
public enum ReconciliationHTML {
    public static func render(_ r: Reconciliation) -> String {
        func esc(_ s: String) -> String {
            var out = ""
            for c in s {
                switch c {
                case "&": out += "&amp;"
                case "<": out += "&lt;"
                case ">": out += "&gt;"
                case "\"": out += "&quot;"
                default: out.append(c)
                }
            }
            return out
        }
        func row(_ cells: [String], header: Bool = false, numeric: Set<Int> = []) -> String {
            let tag = header ? "th" : "td"
            return "<tr>" + cells.enumerated().map { i, c in "<\(tag)\(numeric.contains(i) ? " class=\"n\"" : "")>\(esc(c))</\(tag)>" }.joined() + "</tr>\n"
        }
        let title = "Abgleich \(r.period.label): Jugendamt \(r.jugendamt.org) ↔ Träger \(r.traeger.org)"
        var html = """
            <!DOCTYPE html>
            <html lang="de"><head><meta charset="utf-8"><title>\(esc(title))</title>
            <style>
            body{font-family:"Liberation Sans",Arial,sans-serif;margin:2em;color:#1d2733}
            h1{font-size:1.5em;color:#1f4e89}h2{font-size:1.15em;color:#1f4e89;margin-top:1.5em}
            table{border-collapse:collapse;margin:.5em 0}td,th{border-bottom:1px solid #d5dbe3;padding:.3em .6em;text-align:left;vertical-align:top}
            th{background:#eef1f5}td.n,th.n{text-align:right}.ok{color:#1e7d45;font-weight:bold}.bad{color:#b35a00;font-weight:bold}
            @media print{body{margin:0}}
            </style></head><body>
            <h1>\(esc(title))</h1>

            """
        let n = r.findings.count
        html += "<table>\n"
        html += row(["Quartal", "\(GermanText.date(r.period.first)) – \(GermanText.date(r.period.last)) (Leistungsdatum)"])
        html += row(["Stand", r.period.asOf.map { "Erfasst bis \(GermanText.timestamp($0))" } ?? "Alles bis zum Abgleich Erfasste"])
        for (label, side) in [("Jugendamt", r.jugendamt), ("Träger", r.traeger)] {
            html += row([label, "\(side.ledger), Strom \(side.stream): \(side.records) Sätze, bis Satz \(side.head.seq) (\(side.head.hash.hex.prefix(16))…)"])
        }
        html += "</table>\n"
        html += n == 0 ? "<p class=\"ok\">Keine Abweichungen: das Quartal ist abgestimmt.</p>\n"
                       : "<p class=\"bad\">\(n) \(n == 1 ? "Abweichung" : "Abweichungen")</p>\n"
        if case .array(let rows)? = r.totals?.object?["rows"], !rows.isEmpty {
            html += "<h2>Verbrauch im Quartal je Sozialraum und Topf</h2>\n<table>\n"
            html += row(["Sozialraum", "Topf", "Jugendamt", "Träger", "Differenz"], header: true, numeric: [2, 3, 4])
            for item in rows {
                guard let o = item.object, let sz = o["sozialraum"]?.string.flatMap(Sozialraum.init(rawValue:)),
                      let funding = o["funding"]?.string, let a = o["jugendamtCents"]?.int, let b = o["traegerCents"]?.int else { continue }
                html += row([sz.displayName, funding, Format.euro(a), Format.euro(b), Format.euro(a - b)], numeric: [2, 3, 4])
            }
            html += "</table>\n"
        }
        if n > 0 {
            html += "<h2>Abweichungen</h2>\n<table>\n"
            html += row(["Nr.", "Art", "Kontrakt", "Buchung / Zahlung", "Feld", "Jugendamt", "Träger", "Kennung"], header: true, numeric: [0])
            for (i, f) in r.findings.enumerated() {
                html += row(["\(i + 1)", f.kind.label, f.kontrakt ?? "", f.booking ?? f.payment ?? "", ReconciliationMarkdown.fieldCell(f),
                             GermanText.value(f.jugendamtValue, field: f.field, kind: f.kind),
                             GermanText.value(f.traegerValue, field: f.field, kind: f.kind), f.id], numeric: [0])
            }
            html += "</table>\n"
        }
        html += "<p>Bericht-Hash (SHA-256 des kanonischen JSON): \(r.reportHash.hex)</p>\n</body></html>\n"
        return html
    }
}
