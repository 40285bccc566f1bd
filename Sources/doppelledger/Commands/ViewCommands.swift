import ArgumentParser
import LedgerStore
import LedgerCore

/// Output formats of the view commands.
enum ViewFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
}

func parseSozialraum(_ text: String, option: String = "--sozialraum") throws -> Sozialraum {
    guard let sz = Sozialraum(rawValue: text) else {
        throw fail("\(option) must be one of \(Sozialraum.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(text)\"")
    }
    return sz
}

func checkYearQuarter(_ year: Int, _ quarter: Int?) throws {
    guard (2000...2100).contains(year) else { throw fail("--year must be between 2000 and 2100, got \(year)") }
    if let quarter, !(1...4).contains(quarter) { throw fail("--quarter must be 1, 2, 3 or 4, got \(quarter)") }
}

struct BudgetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "budget",
        abstract: "The budget view of a Sozialraum: pots, consumption, commitments, forecast, flags.")

    @Argument(help: "The ledger folder.") var dir: String
    @Option(help: "konz, schweich, hermeskeil or saarburg.") var sozialraum: String
    @Option(help: "The budget year.") var year: Int
    @Option(help: "The quarter (1-4); figures run from 1 January through its end.") var quarter: Int?
    @Option(help: "As the ledger knew it at this RFC 3339 time.") var asOf: String?
    @Option(help: "table, json or csv.") var format: ViewFormat = .table

    func run() throws {
        let sz = try parseSozialraum(sozialraum)
        try checkYearQuarter(year, quarter)
        let asOf = try parseTimestamp(asOf, option: "--as-of")
        let ledger = try openLedger(dir)
        let view = try ledger.budget(sozialraum: sz, year: year, quarter: quarter, asOf: asOf)
        switch format {
        case .table: writeText(view.table)
        case .json: printLine(CanonicalWriter.string(view.json))
        case .csv: writeText(view.csv)
        }
    }
}

struct KontrakteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kontrakte", abstract: "List Kontrakte with grant and hours booked.")

    @Argument(help: "The ledger folder.") var dir: String
    @Option(help: "Only this Sozialraum.") var sozialraum: String?
    @Option(help: "Only this Träger.") var traeger: String?
    @Option(help: "Only Kontrakte running on this date (YYYY-MM-DD).") var openOn: String?
    @Option(help: "As the ledger knew it at this RFC 3339 time.") var asOf: String?
    @Option(help: "table, json or csv.") var format: ViewFormat = .table

    func run() throws {
        let sz = try sozialraum.map { try parseSozialraum($0) }
        if let traeger, !Identifier.isValid(traeger) { throw fail("--traeger must be an id (\(Identifier.rule))") }
        var openDate: CalendarDate?
        if let openOn {
            guard let d = CalendarDate(openOn) else { throw fail("--open-on must be a date YYYY-MM-DD, got \"\(openOn)\"") }
            openDate = d
        }
        let asOf = try parseTimestamp(asOf, option: "--as-of")
        let ledger = try openLedger(dir)
        let list = try ledger.kontrakte(asOf: asOf).filter { k in
            (sz == nil || k.sozialraum == sz) && (traeger == nil || k.traeger == traeger)
                && (openDate.map { k.validFrom <= $0 && $0 <= k.lastDay } ?? true)
        }
        switch format {
        case .json:
            printLine(CanonicalWriter.string(.array(list.map(\.json))))
        case .csv:
            var out = "kontrakt,fall,sozialraum,traeger,hilfeart,funding,grantedMinutes,bookedMinutes,validFrom,validTo,endedOn\r\n"
            for k in list {
                out += "\(k.kontrakt),\(k.fall),\(k.sozialraum.rawValue),\(k.traeger),\(k.hilfeart.rawValue),\(k.funding.rawValue),\(k.grantedMinutes),\(k.bookedMinutes),\(k.validFrom),\(k.validTo),\(k.endedOn.map(\.description) ?? "")\r\n"
            }
            writeText(out)
        case .table:
            var out = "Kontrakt             Träger           Sozialraum  Hilfeart  Topf            bewilligt   gebucht  Zeitraum\n"
            for k in list {
                let over = k.bookedMinutes > k.grantedMinutes ? " !" : ""
                out += k.kontrakt.padding(20) + " " + k.traeger.padding(16) + " " + k.sozialraum.rawValue.padding(11) + " §"
                    + k.hilfeart.rawValue.padding(8) + " " + k.funding.rawValue.padding(14) + " "
                    + Format.hours(k.grantedMinutes).leftPadded(10) + " " + Format.hours(k.bookedMinutes).leftPadded(9)
                    + "  \(k.validFrom) – \(k.lastDay)" + (k.endedOn != nil ? " (beendet)" : "") + over + "\n"
            }
            out += "\(list.count) Kontrakte\n"
            writeText(out)
        }
    }
}

struct RebuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Rebuild the rules' state and the budget views from the log alone.")

    @Argument(help: "The ledger folder.") var dir: String

    func run() throws {
        let ledger = try openLedger(dir)
        let progress = Progress("rebuilding")
        try ledger.rebuildViews { done, total in progress.update(Int(done), of: Int(total)) }
        progress.done()
        printLine("rebuilt the views of \(ledger.name) from \(try ledger.head().seq) records")
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}

func writeText(_ text: String) {
    Array(text.utf8).withUnsafeBytes(writeStdout)
}
