/// The budget view of a Sozialraum and year (through a quarter), as of a moment: what a
/// controller asks each quarter (CONTRACT section 3, DOMAIN.md "Figures a controller expects").
public struct BudgetView: Equatable, Sendable {
    public struct Tariff: Equatable, Sendable {
        public var effectiveFrom: CalendarDate
        public var basisPoints: Int64
        /// The raise it adds to this year's Gesamtfinanzvolumen (pro rata in its first year).
        public var raiseCents: Int64
    }

    public struct Pot: Equatable, Sendable {
        public var funding: Funding
        public var budgetCents: Int64
        /// Consumed in the quarter asked about (or the whole year).
        public var consumedQuarterCents: Int64
        /// Consumed from 1 January through the period's end.
        public var consumedCents: Int64
        /// Granted on running Kontrakte for the rest of the year, not yet consumed.
        public var committedCents: Int64
        public var remainingCents: Int64
        /// consumed ÷ budget, in basis points (10,000 = 100 %).
        public var utilisationBasisPoints: Int64
        /// Straight line: consumed × days in the year ÷ days elapsed.
        public var forecastCents: Int64
    }

    public struct HoursRow: Equatable, Sendable {
        public var hilfeart: Hilfeart
        public var traeger: String
        public var grantedMinutes: Int64
        public var deliveredMinutes: Int64
    }

    public struct PostsRow: Equatable, Sendable {
        public var traeger: String
        /// Planstellen agreed, in hundredths of a full-time post.
        public var agreedHundredths: Int64
        /// Staffed at the period's end (sum of Stellenumfang %, = hundredths of a post).
        public var staffedHundredths: Int64
        public var heads: Int64
        public var headsFachstudium: Int64
    }

    public struct CasesRow: Equatable, Sendable {
        public var hilfeart: Hilfeart
        public var running: Int64
        public var started: Int64
        public var ended: Int64
    }

    public struct Flag: Equatable, Sendable {
        public var code: String
        public var message: String
    }

    public var sozialraum: Sozialraum
    public var year: Int
    /// The quarter asked about, or nil for the whole year.
    public var quarter: Int?
    public var asOf: Timestamp?
    /// The last record the view includes.
    public var asOfSeq: UInt64
    public var baseCents: Int64
    public var tariffs: [Tariff]
    public var gesamtCents: Int64
    public var sozialraumCents: Int64
    public var asdCents: Int64
    public var personalisiertCents: Int64
    public var variabelCents: Int64
    public var praeventionMinCents: Int64
    public var reallocatedCents: [ReallocationSource: Int64]
    public var pots: [Pot]
    public var preventionMinutes: [PreventionCategory: Int64]
    /// Minutes of case work (HoursBooked) in the period.
    public var caseMinutes: Int64
    public var hours: [HoursRow]
    public var posts: [PostsRow]
    public var cases: [CasesRow]
    public var kontrakteOverGrant: Int64
    public var hilfeartChanges: Int64
    /// Bookings recorded after their quarter was closed.
    public var lateBookings: Int64
    /// When the quarter was closed (nil while open).
    public var closedAt: Timestamp?
    /// The same view as the ledger knew it when the quarter was closed (only when late records corrected it).
    public var asClosed: [Pot]?
    /// Minutes booked where no agreement gave a Fachleistungsstunde (not valued).
    public var unvaluedMinutes: Int64
    public var flags: [Flag]
}

extension BudgetView {
    /// Computes the view from the counters, as of record `seq`.
    ///
    /// - Parameter seqAsOf: finds the last seq recorded at or before a moment (for the closed
    ///   quarter's view).
    /// - Parameter today: for a whole-year view of the running year, the forecast counts the days
    ///   elapsed until today (or until `asOf`).
    public static func compute(sozialraum sz: Sozialraum, year: Int, quarter: Int?, asOf: Timestamp?, today: CalendarDate,
                               reader: ViewReader, seqAsOf: (Timestamp) throws -> UInt64) throws -> BudgetView {
        let lastQuarter = quarter ?? 4
        let periodQuarters = (quarter ?? 1)...lastQuarter
        let ytd = 1...lastQuarter

        // Gesamtfinanzvolumen with tariffs.
        let base = try reader.value(Counter.year(sz, year, "budget"))
        var tariffs: [Tariff] = []
        var full = base
        var gesamt = base
        let yearStart = CalendarDate(year: year, month: 1, day: 1)!
        let yearEnd = CalendarDate(year: year, month: 12, day: 31)!
        let daysInYear = Int64(yearStart.distance(to: yearEnd) + 1)
        for (date, bp) in try tariffFacts(reader, sz) where date <= yearEnd {
            let raise = Money.share(full, bp, 10_000)
            full += raise
            let part: Int64
            if date < yearStart {
                part = raise
            } else {
                part = Money.share(raise, Int64(date.distance(to: yearEnd) + 1), daysInYear)
            }
            gesamt += part
            tariffs.append(Tariff(effectiveFrom: date, basisPoints: bp, raiseCents: part))
        }
        let (sozialraum, asd) = Money.split(gesamt, percent: 85)
        let (personalisiert, variabel) = Money.split(sozialraum, percent: 80)
        let praeventionMin = Money.share(sozialraum, 10, 100)
        var realloc: [ReallocationSource: Int64] = [:]
        for source in ReallocationSource.allCases {
            realloc[source] = try reader.value(Counter.year(sz, year, "realloc/\(source.rawValue)"))
        }

        // Elapsed days for the straight-line forecast.
        var periodEnd = CalendarDate.quarterEnd(year: year, quarter: lastQuarter)
        if quarter == nil {
            let reference = asOf?.date ?? today
            if reference < periodEnd { periodEnd = max(reference, yearStart) }
        }
        let elapsed = Int64(yearStart.distance(to: periodEnd) + 1)

        func pots(_ r: ViewReader) throws -> [Pot] {
            var out: [Pot] = []
            for funding in Funding.allCases {
                let budget: Int64
                switch funding {
                case .personalisiert: budget = personalisiert - (realloc[.personalisiert] ?? 0)
                case .variabel: budget = variabel - (realloc[.variabel] ?? 0)
                case .asd: budget = asd
                case .praevention: budget = praeventionMin + (realloc[.personalisiert] ?? 0) + (realloc[.variabel] ?? 0)
                }
                let consumedQ = try r.sum(sz, year, quarters: periodQuarters, "cons/\(funding.rawValue)")
                let consumed = try r.sum(sz, year, quarters: ytd, "cons/\(funding.rawValue)")
                let committed = lastQuarter < 4
                    ? try r.sum(sz, year, quarters: (lastQuarter + 1)...4, "commit/\(funding.rawValue)") : 0
                let forecast = Money.share(consumed, daysInYear, elapsed)
                out.append(Pot(funding: funding, budgetCents: budget, consumedQuarterCents: consumedQ, consumedCents: consumed,
                               committedCents: committed, remainingCents: budget - consumed - committed,
                               utilisationBasisPoints: budget > 0 ? Money.share(consumed, 10_000, budget) : 0,
                               forecastCents: forecast))
            }
            return out
        }
        let potRows = try pots(reader)

        // Hours, prevention, cases, posts.
        var granted: [String: Int64] = [:], delivered: [String: Int64] = [:]
        var prevention: [PreventionCategory: Int64] = [:]
        var running: [Hilfeart: Int64] = [:], started: [Hilfeart: Int64] = [:], ended: [Hilfeart: Int64] = [:]
        var caseMinutes: Int64 = 0, late: Int64 = 0, switches: Int64 = 0, unvalued: Int64 = 0
        for q in periodQuarters {
            for (counter, value) in try reader.all(under: "\(sz.rawValue)/\(year)/\(q)/") {
                let parts = counter.split(separator: "/").dropFirst(3).map(String.init)
                guard let metric = parts.first else { continue }
                switch metric {
                case "gmin" where parts.count == 3: granted["\(parts[1])/\(parts[2])", default: 0] += value
                case "hmin" where parts.count == 3:
                    delivered["\(parts[1])/\(parts[2])", default: 0] += value
                    caseMinutes += value
                case "pmin" where parts.count == 3:
                    if let c = PreventionCategory(rawValue: parts[1]) { prevention[c, default: 0] += value }
                case "run" where parts.count == 2:
                    // Running in the period: the last quarter's count (a case spans quarters).
                    if q == lastQuarter, let h = Hilfeart(rawValue: parts[1]) { running[h, default: 0] += value }
                case "start" where parts.count == 2: if let h = Hilfeart(rawValue: parts[1]) { started[h, default: 0] += value }
                case "end" where parts.count == 2: if let h = Hilfeart(rawValue: parts[1]) { ended[h, default: 0] += value }
                case "late": late += value
                case "switch": switches += value
                case "nofls": unvalued += value
                default: break
                }
            }
        }
        var hours: [HoursRow] = []
        for key in Set(granted.keys).union(delivered.keys).sorted() {
            let p = key.split(separator: "/").map(String.init)
            guard let h = Hilfeart(rawValue: p[0]) else { continue }
            hours.append(HoursRow(hilfeart: h, traeger: p[1], grantedMinutes: granted[key] ?? 0, deliveredMinutes: delivered[key] ?? 0))
        }
        hours.sort { ($0.hilfeart, $0.traeger) < ($1.hilfeart, $1.traeger) }
        var postsByTraeger: [String: PostsRow] = [:]
        for (counter, value) in try reader.all(under: "\(sz.rawValue)/\(year)/\(lastQuarter)/") {
            let parts = counter.split(separator: "/").dropFirst(3).map(String.init)
            guard parts.count == 2 else { continue }
            let t = parts[1]
            var row = postsByTraeger[t] ?? PostsRow(traeger: t, agreedHundredths: 0, staffedHundredths: 0, heads: 0, headsFachstudium: 0)
            switch parts[0] {
            case "posts": row.agreedHundredths += value
            case "staff": row.staffedHundredths += value
            case "heads": row.heads += value
            case "fach": row.headsFachstudium += value
            default: continue
            }
            postsByTraeger[t] = row
        }
        let posts = postsByTraeger.values.sorted { $0.traeger < $1.traeger }
        let cases = Hilfeart.allCases.compactMap { h -> CasesRow? in
            let row = CasesRow(hilfeart: h, running: running[h] ?? 0, started: started[h] ?? 0, ended: ended[h] ?? 0)
            return row.running == 0 && row.started == 0 && row.ended == 0 ? nil : row
        }
        let overGrant = try reader.value("\(sz.rawValue)/0/0/over")

        // A closed quarter: show it as closed and as corrected.
        var closedAt: Timestamp?
        var asClosed: [Pot]?
        if let quarter {
            let at = try reader.value("Q/\(year)/\(quarter)")
            if at != 0 {
                closedAt = Timestamp(seconds: at)
                if late > 0 {
                    let closedSeq = try seqAsOf(Timestamp(seconds: at))
                    asClosed = try pots(ViewReader(state: reader.state, seq: closedSeq))
                }
            }
        }

        var view = BudgetView(
            sozialraum: sz, year: year, quarter: quarter, asOf: asOf, asOfSeq: reader.seq, baseCents: base, tariffs: tariffs,
            gesamtCents: gesamt, sozialraumCents: sozialraum, asdCents: asd, personalisiertCents: personalisiert,
            variabelCents: variabel, praeventionMinCents: praeventionMin, reallocatedCents: realloc, pots: potRows,
            preventionMinutes: prevention, caseMinutes: caseMinutes, hours: hours, posts: posts, cases: cases,
            kontrakteOverGrant: overGrant, hilfeartChanges: switches, lateBookings: late, closedAt: closedAt,
            asClosed: asClosed, unvaluedMinutes: unvalued, flags: [])
        view.flags = view.computeFlags()
        return view
    }

    /// Tariff facts in force for `sz` (its own and those for all), by effective date.
    static func tariffFacts(_ reader: ViewReader, _ sz: Sozialraum) throws -> [(CalendarDate, Int64)] {
        var out: [(CalendarDate, Int64, UInt64)] = []
        for (counter, value) in try reader.all(under: "T/") {
            let p = counter.split(separator: "/")
            guard p.count == 4, let date = CalendarDate(String(p[1])), p[2] == "all" || p[2] == Substring(sz.rawValue),
                  let seq = UInt64(p[3]) else { continue }
            out.append((date, value, seq))
        }
        return out.sorted { ($0.0, $0.2) < ($1.0, $1.2) }.map { ($0.0, $0.1) }
    }

    func computeFlags() -> [Flag] {
        var flags: [Flag] = []
        for pot in pots where pot.budgetCents > 0 && pot.funding != .praevention && pot.forecastCents > pot.budgetCents {
            flags.append(Flag(code: "forecast-over-budget",
                              message: "\(pot.funding.rawValue): die Jahresprognose \(Format.euro(pot.forecastCents)) übersteigt das Budget \(Format.euro(pot.budgetCents))"))
        }
        if let p = pots.first(where: { $0.funding == .praevention }), gesamtCents > 0, p.forecastCents < praeventionMinCents {
            flags.append(Flag(code: "prevention-under-10",
                              message: "Prävention: die Jahresprognose \(Format.euro(p.forecastCents)) liegt unter dem Mindestanteil von 10 % (\(Format.euro(praeventionMinCents)), § 3.3)"))
        }
        if kontrakteOverGrant > 0 {
            flags.append(Flag(code: "kontrakte-over-grant", message: "\(kontrakteOverGrant) Kontrakt(e) mit mehr gebuchten als bewilligten Stunden"))
        }
        for row in posts where row.heads > 0 && row.headsFachstudium * 2 < row.heads {
            flags.append(Flag(code: "team-rules-broken",
                              message: "\(row.traeger): \(row.headsFachstudium) von \(row.heads) Fachkräften mit abgeschlossenem Fachstudium; mindestens die Hälfte ist gefordert (§ 3.1.1)"))
        }
        let caseBudget = pots.filter { $0.funding == .personalisiert || $0.funding == .variabel }
        let free = caseBudget.reduce(Int64(0)) { $0 + $1.budgetCents - max($1.forecastCents, $1.consumedCents + $1.committedCents) }
        let budget = caseBudget.reduce(Int64(0)) { $0 + $1.budgetCents }
        if budget > 0, free * 20 >= budget {
            flags.append(Flag(code: "free-funds",
                              message: "\(Format.euro(free)) der Fallarbeits-Töpfe bleiben voraussichtlich frei; frühzeitig in Prävention umschichten (§ 4)"))
        }
        if unvaluedMinutes > 0 {
            flags.append(Flag(code: "hours-without-agreement",
                              message: "\(Format.hours(unvaluedMinutes)) ohne gültige Vereinbarung gebucht; nicht bewertet"))
        }
        if lateBookings > 0 {
            flags.append(Flag(code: "late-bookings", message: "\(lateBookings) Buchung(en) nach dem Quartalsabschluss erfasst"))
        }
        return flags
    }
}
