/// The quarterly report for the steering bodies (Lenkungsgruppe): per Sozialraum and pot plan
/// vs. actual, prevention against 10 %, hours per Hilfeart and Träger, cases, posts, the
/// reconciliation with each Träger, and flags. Aggregates only; small cells are suppressed
/// (docs/REPORT.md). Pure: built from ``ReportFacts``, rendered by ``html`` and ``markdown``.
public struct QuarterlyReport: Sendable {
    public enum Severity: String, Sendable {
        /// Needs a decision or a correction.
        case warnung = "Warnung"
        /// Worth knowing.
        case hinweis = "Hinweis"
    }

    public struct Flag: Equatable, Sendable {
        public var severity: Severity
        /// "Landkreis" or the Sozialraum's name.
        public var scope: String
        public var text: String
    }

    /// A Sozialraum, or the whole district (``sozialraum`` nil).
    public struct Area: Equatable, Sendable {
        public var sozialraum: Sozialraum?
        public var name: String
        public var hasBudget: Bool
        public var baseCents: Int64
        public var tariffCents: Int64
        public var gesamtCents: Int64
        public var sozialraumCents: Int64
        public var asdCents: Int64
        public var personalisiertCents: Int64
        public var variabelCents: Int64
        public var praeventionMinCents: Int64
        public var reallocatedCents: Int64
        /// The view's pots; the district's are the Sozialräume's added up.
        public var pots: [BudgetView.Pot]
        /// Consumed in each quarter 1…N of the year, per pot.
        public var consumedByQuarter: [[Funding: Int64]]
        /// Straight-line forecast for the quarters after N (all pots).
        public var projectedByQuarter: [Int64]
        /// The Gesamtfinanzvolumen pro rata for each of the four quarters (by days).
        public var planByQuarter: [Int64]
        /// All pots, 1 January through the quarter's end.
        public var consumedCents: Int64
        public var forecastCents: Int64
        public var preventionMinutes: Int64
        public var networkMinutes: Int64
        /// Kontrakte running in the quarter (what the case minutes rest on).
        public var kontrakte: Int64
        /// Case-work minutes in the quarter; nil when suppressed (docs/REPORT.md).
        public var caseMinutes: Int64?
        /// Prevention pot forecast ÷ Sozialraumfinanzvolumen (the concept's 10 % minimum).
        public var preventionForecastShareBasisPoints: Int64?
        public var closedAt: Timestamp?
        public var lateBookings: Int64
        /// All pots as consumed when the quarter was closed (only when late bookings changed it).
        public var consumedAsClosedCents: Int64?

        /// Prevention and network share of team minutes in the quarter; nil when case minutes are
        /// suppressed or there are no minutes.
        public var teamShareBasisPoints: Int64? {
            guard let caseMinutes, caseMinutes + preventionMinutes + networkMinutes > 0 else { return nil }
            return Money.share(preventionMinutes + networkMinutes, 10_000, caseMinutes + preventionMinutes + networkMinutes)
        }

        public var utilisationBasisPoints: Int64 { gesamtCents > 0 ? Money.share(consumedCents, 10_000, gesamtCents) : 0 }
        public var forecastBasisPoints: Int64 { gesamtCents > 0 ? Money.share(forecastCents, 10_000, gesamtCents) : 0 }
        public func pot(_ f: Funding) -> BudgetView.Pot? { pots.first { $0.funding == f } }
    }

    /// Hours granted and delivered in the quarter for a Hilfeart and Träger (or a merged group).
    public struct HoursLine: Equatable, Sendable {
        public var traeger: String
        public var isMerged: Bool
        public var kontrakte: Int64
        /// nil: hidden (fewer than 5 Kontrakte and nothing left to merge with).
        public var grantedMinutes: Int64?
        public var deliveredMinutes: Int64?
        public var deliveredBasisPoints: Int64? {
            guard let g = grantedMinutes, let d = deliveredMinutes, g > 0 else { return nil }
            return Money.share(d, 10_000, g)
        }
    }

    public struct HoursBlock: Equatable, Sendable {
        /// "§ 31 Sozialpäd. Familienhilfe" or "weitere Hilfearten (zusammengefasst)".
        public var hilfeart: String
        public var lines: [HoursLine]
        public var total: HoursLine
    }

    public struct CasesLine: Equatable, Sendable {
        public var label: String
        public var running: Suppression.Cell
        public var started: Suppression.Cell
        public var ended: Suppression.Cell
    }

    public struct ReconciliationLine: Equatable, Sendable {
        /// The Träger (or Jugendamt) as people name it: the org id.
        public var counterparty: String
        public var ledger: String
        /// The latest recorded reconciliation of the quarter, nil when none.
        public var latest: ReportFacts.Reconciliation?
        /// How often the quarter was reconciled with this counterparty.
        public var times: Int
    }

    public var title: String
    public var organisation: String
    public var ledger: String
    public var year: Int
    public var quarter: Int
    public var periodStart: CalendarDate
    public var periodEnd: CalendarDate
    public var asOf: Timestamp?
    public var headSeq: UInt64
    public var headHash: Digest32
    public var headRecordedAt: Timestamp?
    /// Days elapsed through the quarter's end ÷ days in the year: where a straight line stands.
    public var elapsedBasisPoints: Int64
    public var closedAt: Timestamp?
    public var district: Area
    public var areas: [Area]
    public var hours: [HoursBlock]
    public var hoursTotal: HoursLine
    public var casesByHilfeart: [CasesLine]
    public var casesByHilfeartTotal: CasesLine
    public var casesByArea: [CasesLine]
    public var casesByAreaTotal: CasesLine
    public var hilfeartChanges: Int64
    public var posts: [BudgetView.PostsRow]
    public var reconciliation: [ReconciliationLine]
    public var flags: [Flag]
}

extension QuarterlyReport {
    /// Computes the report from the facts gathered at one moment.
    public init(_ facts: ReportFacts) {
        let year = facts.year, quarter = facts.quarter
        self.year = year
        self.quarter = quarter
        ledger = facts.ledger.description
        organisation = Self.organisationName(facts.ledger)
        title = "Quartalsbericht Q\(quarter)/\(year) — \(organisation)"
        periodStart = CalendarDate.quarterStart(year: year, quarter: quarter)
        periodEnd = CalendarDate.quarterEnd(year: year, quarter: quarter)
        asOf = facts.asOf
        headSeq = facts.headSeq
        headHash = facts.headHash
        headRecordedAt = facts.headRecordedAt
        let yearStart = CalendarDate(year: year, month: 1, day: 1)!
        let daysInYear = Int64(yearStart.distance(to: CalendarDate(year: year, month: 12, day: 31)!) + 1)
        elapsedBasisPoints = Money.share(Int64(yearStart.distance(to: periodEnd) + 1), 10_000, daysInYear)

        // Kontrakte running in the quarter, per Sozialraum and per (Hilfeart, Träger) cell, as sets
        // of indices so that a Kontrakt that changed its Hilfeart is not counted twice in a merge.
        var bySozialraum: [Sozialraum: Set<Int>] = [:]
        var byCell: [CellKey: Set<Int>] = [:]
        for (i, k) in facts.kontrakte.enumerated() {
            let kinds = k.hilfearten(from: periodStart, through: periodEnd)
            if kinds.isEmpty { continue }
            bySozialraum[k.sozialraum, default: []].insert(i)
            for h in kinds { byCell[CellKey(hilfeart: h, traeger: k.traeger), default: []].insert(i) }
        }

        // Areas.
        var areas: [Area] = []
        for sz in Sozialraum.allCases {
            let views = facts.views[sz] ?? []
            guard let view = views.last else { continue }
            areas.append(Self.area(sz, view: view, views: views, kontrakte: Int64(bySozialraum[sz]?.count ?? 0),
                                   year: year, quarter: quarter, daysInYear: daysInYear))
        }
        var district = Self.sum(areas, name: "Landkreis gesamt",
                                kontrakte: Int64(bySozialraum.values.reduce(into: Set<Int>()) { $0.formUnion($1) }.count))
        Self.suppressCaseMinutes(&areas, &district)
        self.areas = areas
        self.district = district
        closedAt = areas.compactMap(\.closedAt).first

        // Hours per Hilfeart and Träger, district-wide, merged below 5 Kontrakte.
        var granted: [CellKey: Int64] = [:], delivered: [CellKey: Int64] = [:]
        var cases: [Hilfeart: (Int64, Int64, Int64)] = [:]
        var casesArea: [(String, Int64, Int64, Int64)] = []
        var posts: [String: BudgetView.PostsRow] = [:]
        var switches: Int64 = 0
        for sz in Sozialraum.allCases {
            guard let view = facts.views[sz]?.last else { continue }
            for h in view.hours {
                let key = CellKey(hilfeart: h.hilfeart, traeger: h.traeger)
                granted[key, default: 0] += h.grantedMinutes
                delivered[key, default: 0] += h.deliveredMinutes
            }
            var areaCases: (Int64, Int64, Int64) = (0, 0, 0)
            for c in view.cases {
                let old = cases[c.hilfeart] ?? (0, 0, 0)
                cases[c.hilfeart] = (old.0 + c.running, old.1 + c.started, old.2 + c.ended)
                areaCases = (areaCases.0 + c.running, areaCases.1 + c.started, areaCases.2 + c.ended)
            }
            casesArea.append((sz.displayName, areaCases.0, areaCases.1, areaCases.2))
            for p in view.posts {
                var line = posts[p.traeger] ?? BudgetView.PostsRow(traeger: p.traeger, agreedHundredths: 0, staffedHundredths: 0, heads: 0, headsFachstudium: 0)
                line.agreedHundredths += p.agreedHundredths
                line.staffedHundredths += p.staffedHundredths
                line.heads += p.heads
                line.headsFachstudium += p.headsFachstudium
                posts[p.traeger] = line
            }
            switches += view.hilfeartChanges
        }
        let cells = Set(granted.keys).union(delivered.keys).union(byCell.keys).sorted()
        (hours, hoursTotal) = Self.hoursBlocks(cells: cells, granted: granted, delivered: delivered, kontrakte: byCell)

        let hilfearten = Hilfeart.allCases.filter { cases[$0] != nil }
        (casesByHilfeart, casesByHilfeartTotal) = Self.casesTable(
            labels: hilfearten.map(\.displayName), values: hilfearten.map { cases[$0]! }, totalLabel: "Summe")
        (casesByArea, casesByAreaTotal) = Self.casesTable(
            labels: casesArea.map(\.0), values: casesArea.map { ($0.1, $0.2, $0.3) }, totalLabel: "Landkreis gesamt")
        hilfeartChanges = switches
        self.posts = posts.values.sorted { $0.traeger < $1.traeger }

        // Reconciliation with each counterparty.
        var latest: [String: ReportFacts.Reconciliation] = [:], times: [String: Int] = [:]
        for r in facts.reconciliations {
            latest[r.counterparty] = r
            times[r.counterparty, default: 0] += 1
        }
        let parties = Set(facts.counterparties).union(latest.keys).sorted()
        reconciliation = parties.map { ledger in
            ReconciliationLine(counterparty: LedgerName(ledger)?.org ?? ledger, ledger: ledger, latest: latest[ledger], times: times[ledger] ?? 0)
        }

        // Flags: the district's first, then each Sozialraum's.
        var flags: [Flag] = []
        let scope = "Landkreis"
        if closedAt == nil {
            flags.append(Flag(severity: .hinweis, scope: scope,
                              text: "Das Quartal Q\(quarter)/\(year) ist noch nicht abgeschlossen; die Zahlen können sich noch ändern."))
        }
        let open = reconciliation.filter { $0.latest == nil }.map(\.counterparty)
        if !open.isEmpty {
            flags.append(Flag(severity: .warnung, scope: scope,
                              text: "Noch nicht abgeglichen (Doppelcontrolling) mit: \(open.joined(separator: ", "))."))
        }
        for line in reconciliation {
            if let r = line.latest, r.findings > 0 {
                flags.append(Flag(severity: .warnung, scope: scope,
                                  text: "Abgleich mit \(line.counterparty): \(Self.findingsText(r.findings)) festgestellt; bitte gemeinsam klären."))
            }
        }
        for sz in Sozialraum.allCases {
            guard let view = facts.views[sz]?.last else { continue }
            flags += Self.flags(view).map { Flag(severity: $0.0, scope: sz.displayName, text: $0.1) }
        }
        self.flags = flags
    }

    struct CellKey: Hashable, Comparable {
        var hilfeart: Hilfeart
        var traeger: String
        static func < (a: CellKey, b: CellKey) -> Bool { (a.hilfeart, a.traeger) < (b.hilfeart, b.traeger) }
    }

    /// "Jugendamt Trier-Saarburg" from `jugendamt:trier-saarburg`.
    static func organisationName(_ name: LedgerName) -> String {
        let org = name.org.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: "-")
        return (name.side == .jugendamt ? "Jugendamt " : "Träger ") + org
    }

    static func findingsText(_ n: Int64) -> String {
        n == 1 ? "1 Abweichung" : "\(Format.count(n)) Abweichungen"
    }

    static func area(_ sz: Sozialraum, view: BudgetView, views: [BudgetView], kontrakte: Int64,
                     year: Int, quarter: Int, daysInYear: Int64) -> Area {
        let pots = view.pots
        let byQuarter = views.map { v in Dictionary(uniqueKeysWithValues: v.pots.map { ($0.funding, $0.consumedQuarterCents) }) }
        let consumed = view.pots.reduce(Int64(0)) { $0 + $1.consumedCents }
        let forecast = view.pots.reduce(Int64(0)) { $0 + $1.forecastCents }
        let yearStart = CalendarDate(year: year, month: 1, day: 1)!
        let elapsed = Int64(yearStart.distance(to: CalendarDate.quarterEnd(year: year, quarter: quarter)) + 1)
        func days(_ q: Int) -> Int64 {
            Int64(CalendarDate.quarterStart(year: year, quarter: q).distance(to: CalendarDate.quarterEnd(year: year, quarter: q)) + 1)
        }
        let projected = quarter < 4 ? ((quarter + 1)...4).map { Money.share(consumed, days($0), elapsed) } : []
        let plan = Spread.split(view.gesamtCents, weights: (1...4).map { Int(days($0)) })
        let prevention = view.preventionMinutes[.praevention] ?? 0
        let network = view.preventionMinutes[.netzwerk] ?? 0
        let preventionPot = pots.first { $0.funding == .praevention }
        return Area(
            sozialraum: sz, name: sz.displayName, hasBudget: view.gesamtCents > 0, baseCents: view.baseCents,
            tariffCents: view.gesamtCents - view.baseCents, gesamtCents: view.gesamtCents, sozialraumCents: view.sozialraumCents,
            asdCents: view.asdCents, personalisiertCents: view.personalisiertCents, variabelCents: view.variabelCents,
            praeventionMinCents: view.praeventionMinCents, reallocatedCents: view.reallocatedCents.values.reduce(0, +),
            pots: pots, consumedByQuarter: byQuarter, projectedByQuarter: projected, planByQuarter: plan,
            consumedCents: consumed, forecastCents: forecast, preventionMinutes: prevention, networkMinutes: network,
            kontrakte: kontrakte, caseMinutes: view.caseMinutes,
            preventionForecastShareBasisPoints: view.sozialraumCents > 0 && preventionPot != nil
                ? Money.share(preventionPot!.forecastCents, 10_000, view.sozialraumCents) : nil,
            closedAt: view.closedAt, lateBookings: view.lateBookings,
            consumedAsClosedCents: view.asClosed.map { $0.reduce(0) { $0 + $1.consumedCents } })
    }

    /// The district: the Sozialräume added up (shares recomputed from the sums).
    static func sum(_ areas: [Area], name: String, kontrakte: Int64) -> Area {
        func total(_ f: (Area) -> Int64) -> Int64 { areas.reduce(0) { $0 + f($1) } }
        let pots = Funding.allCases.map { f -> BudgetView.Pot in
            let lines = areas.compactMap { $0.pot(f) }
            func t(_ g: (BudgetView.Pot) -> Int64) -> Int64 { lines.reduce(0) { $0 + g($1) } }
            let budget = t(\.budgetCents), consumed = t(\.consumedCents)
            return BudgetView.Pot(funding: f, budgetCents: budget, consumedQuarterCents: t(\.consumedQuarterCents), consumedCents: consumed,
                                  committedCents: t(\.committedCents), remainingCents: t(\.remainingCents),
                                  utilisationBasisPoints: budget > 0 ? Money.share(consumed, 10_000, budget) : 0,
                                  forecastCents: t(\.forecastCents))
        }
        let quarters = areas.map(\.consumedByQuarter.count).max() ?? 0
        let byQuarter = (0..<quarters).map { q in
            Dictionary(uniqueKeysWithValues: Funding.allCases.map { f in
                (f, areas.reduce(Int64(0)) { $0 + (q < $1.consumedByQuarter.count ? $1.consumedByQuarter[q][f] ?? 0 : 0) })
            })
        }
        let projectedCount = areas.map(\.projectedByQuarter.count).max() ?? 0
        let projected = (0..<projectedCount).map { i in areas.reduce(Int64(0)) { $0 + (i < $1.projectedByQuarter.count ? $1.projectedByQuarter[i] : 0) } }
        let plan = (0..<4).map { i in areas.reduce(Int64(0)) { $0 + (i < $1.planByQuarter.count ? $1.planByQuarter[i] : 0) } }
        let prevention = total(\.preventionMinutes), network = total(\.networkMinutes)
        let sozialraum = total(\.sozialraumCents)
        let preventionForecast = pots.first { $0.funding == .praevention }?.forecastCents ?? 0
        let closed = areas.compactMap(\.consumedAsClosedCents)
        return Area(
            sozialraum: nil, name: name, hasBudget: total(\.gesamtCents) > 0, baseCents: total(\.baseCents),
            tariffCents: total(\.tariffCents), gesamtCents: total(\.gesamtCents), sozialraumCents: sozialraum,
            asdCents: total(\.asdCents), personalisiertCents: total(\.personalisiertCents), variabelCents: total(\.variabelCents),
            praeventionMinCents: total(\.praeventionMinCents), reallocatedCents: total(\.reallocatedCents), pots: pots,
            consumedByQuarter: byQuarter, projectedByQuarter: projected, planByQuarter: plan,
            consumedCents: total(\.consumedCents), forecastCents: total(\.forecastCents),
            preventionMinutes: prevention, networkMinutes: network, kontrakte: kontrakte,
            caseMinutes: areas.reduce(0) { $0 + ($1.caseMinutes ?? 0) },
            preventionForecastShareBasisPoints: sozialraum > 0 ? Money.share(preventionForecast, 10_000, sozialraum) : nil,
            closedAt: areas.compactMap(\.closedAt).first, lateBookings: total(\.lateBookings),
            consumedAsClosedCents: closed.isEmpty ? nil
                : areas.reduce(0) { $0 + ($1.consumedAsClosedCents ?? $1.consumedCents) })
    }

    /// Case minutes of an area resting on 1 to 4 Kontrakte are hidden; when exactly one area is
    /// hidden, the smallest other one is hidden too, so the district total does not give it away.
    /// The district's own total is hidden when it rests on fewer than 5 Kontrakte.
    static func suppressCaseMinutes(_ areas: inout [Area], _ district: inout Area) {
        var hidden = areas.indices.filter { areas[$0].kontrakte > 0 && areas[$0].kontrakte < Suppression.minimum }
        if hidden.count == 1, district.kontrakte >= Suppression.minimum {
            let other = areas.indices.filter { !hidden.contains($0) && (areas[$0].caseMinutes ?? 0) > 0 }
                .min { (areas[$0].caseMinutes ?? 0, $0) < (areas[$1].caseMinutes ?? 0, $1) }
            if let other { hidden.append(other) }
        }
        for i in hidden { areas[i].caseMinutes = nil }
        if district.kontrakte > 0, district.kontrakte < Suppression.minimum { district.caseMinutes = nil }
    }

    /// Hours blocks: Hilfearten resting on fewer than 5 Kontrakte are merged into "weitere
    /// Hilfearten"; within a Hilfeart, Träger below 5 into "weitere Träger".
    static func hoursBlocks(cells: [CellKey], granted: [CellKey: Int64], delivered: [CellKey: Int64],
                            kontrakte: [CellKey: Set<Int>]) -> ([HoursBlock], HoursLine) {
        func count(_ keys: [CellKey]) -> Int64 {
            Int64(keys.reduce(into: Set<Int>()) { $0.formUnion(kontrakte[$1] ?? []) }.count)
        }
        func line(_ label: String, _ keys: [CellKey], merged: Bool) -> HoursLine {
            let n = count(keys)
            let hide = n < Suppression.minimum
            return HoursLine(traeger: label, isMerged: merged, kontrakte: n,
                             grantedMinutes: hide ? nil : keys.reduce(0) { $0 + (granted[$1] ?? 0) },
                             deliveredMinutes: hide ? nil : keys.reduce(0) { $0 + (delivered[$1] ?? 0) })
        }
        let byHilfeart = Dictionary(grouping: cells, by: \.hilfeart)
        let kinds = Hilfeart.allCases.filter { byHilfeart[$0] != nil }
        let (shownKinds, mergedKinds) = Suppression.merge(kinds) { count(byHilfeart[$0]!) }
        var blocks: [HoursBlock] = []
        for h in shownKinds {
            let keys = byHilfeart[h]!
            let (shown, merged) = Suppression.merge(keys) { count([$0]) }
            var lines = shown.map { line($0.traeger, [$0], merged: false) }
            if !merged.isEmpty {
                lines.append(line("weitere Träger (zusammengefasst)", merged, merged: true))
            }
            blocks.append(HoursBlock(hilfeart: h.displayName, lines: lines, total: line("Summe", keys, merged: false)))
        }
        if !mergedKinds.isEmpty {
            let keys = mergedKinds.flatMap { byHilfeart[$0]! }
            let all = line("alle Träger (zusammengefasst)", keys, merged: true)
            blocks.append(HoursBlock(hilfeart: "weitere Hilfearten (zusammengefasst: \(mergedKinds.map { "§ \($0.rawValue)" }.joined(separator: ", ")))",
                                     lines: [all], total: all))
        }
        return (blocks, line("Landkreis gesamt", cells, merged: false))
    }

    static func casesTable(labels: [String], values: [(Int64, Int64, Int64)], totalLabel: String) -> ([CasesLine], CasesLine) {
        let running = Suppression.column(values.map(\.0))
        let started = Suppression.column(values.map(\.1))
        let ended = Suppression.column(values.map(\.2))
        let lines = labels.indices.map { i in
            CasesLine(label: labels[i], running: running.cells[i], started: started.cells[i], ended: ended.cells[i])
        }
        return (lines, CasesLine(label: totalLabel, running: running.total, started: started.total, ended: ended.total))
    }

    /// The view's flags in German, with the projector's conditions (docs/BUDGET.md section 6).
    static func flags(_ view: BudgetView) -> [(Severity, String)] {
        var out: [(Severity, String)] = []
        var seen: Set<String> = []
        for flag in view.flags where seen.insert(flag.code).inserted {
            switch flag.code {
            case "forecast-over-budget":
                for p in view.pots where p.budgetCents > 0 && p.funding != .praevention && p.forecastCents > p.budgetCents {
                    out.append((.warnung, "Topf \(p.funding.displayName): Die Jahresprognose von \(Format.euro(p.forecastCents)) übersteigt das Budget von \(Format.euro(p.budgetCents)) um \(Format.euro(p.forecastCents - p.budgetCents))."))
                }
            case "prevention-under-10":
                let forecast = view.pots.first { $0.funding == .praevention }?.forecastCents ?? 0
                out.append((.warnung, "Prävention: Die Jahresprognose von \(Format.euro(forecast)) liegt unter dem Mindestbetrag von \(Format.euro(view.praeventionMinCents)) (10 % des Sozialraumfinanzvolumens, § 3.3)."))
            case "kontrakte-over-grant":
                let n = Suppression.cell(view.kontrakteOverGrant)
                let who = n == .small ? "weniger als \(Suppression.minimum) Kontrakten" : "\(n.text) Kontrakten"
                out.append((.warnung, "Bei \(who) wurden mehr Stunden gebucht als bewilligt."))
            case "team-rules-broken":
                for row in view.posts where row.heads > 0 && row.headsFachstudium * 2 < row.heads {
                    out.append((.warnung, "Träger \(row.traeger): \(row.headsFachstudium) von \(row.heads) Fachkräften haben ein abgeschlossenes Fachstudium; mindestens die Hälfte ist vorgeschrieben (§ 3.1.1)."))
                }
            case "free-funds":
                let casePots = view.pots.filter { $0.funding == .personalisiert || $0.funding == .variabel }
                let free = casePots.reduce(Int64(0)) { $0 + $1.budgetCents - max($1.forecastCents, $1.consumedCents + $1.committedCents) }
                out.append((.hinweis, "In den Töpfen für Fallarbeit (personalisiert und variabel) bleiben voraussichtlich \(Format.euro(free)) frei; eine frühzeitige Umschichtung in die Prävention ist zu prüfen (§ 4)."))
            case "hours-without-agreement":
                out.append((.warnung, "\(Format.hours(view.unvaluedMinutes)) wurden gebucht, ohne dass eine Vereinbarung mit einer Fachleistungsstunde galt; sie sind nicht bewertet."))
            case "late-bookings":
                out.append((.hinweis, "\(Format.count(view.lateBookings)) Buchungen wurden nach dem Quartalsabschluss erfasst (Nachbuchungen); der Stand beim Abschluss ist gesondert ausgewiesen."))
            default:
                out.append((.hinweis, "Hinweis „\(flag.code)“ des Budgetberichts."))
            }
        }
        return out
    }
}
