public import LedgerCore

/// The fixed shape of the generated district: who works where, and the concept paper's numbers.
/// Everything that varies (amounts, dates, cases) comes from the seed.
public enum Landkreis {
    /// The nine Träger (pseudonymous ids), in id order.
    public static let traeger = ["awo", "caritas", "diakonie", "don-bosco", "drk", "jugendwerk", "kinderschutzbund",
                                 "lebenshilfe", "palais"]

    /// The Träger serving each Sozialraum (two or three each; each Träger serves at least one),
    /// the lead Träger first.
    public static let traegerBySozialraum: [(Sozialraum, [String])] = [
        (.konz, ["caritas", "palais", "kinderschutzbund"]),
        (.schweich, ["don-bosco", "diakonie", "caritas"]),
        (.hermeskeil, ["drk", "lebenshilfe", "awo"]),
        (.saarburg, ["jugendwerk", "awo"]),
    ]

    /// The TVöD tariff steps (CONTRACT section 2: `basisPoints`); only those inside the generated
    /// years are recorded.
    public static let tariffSteps: [(effectiveFrom: CalendarDate, basisPoints: Int64)] = [
        (CalendarDate(year: 2024, month: 3, day: 1)!, 550),
        (CalendarDate(year: 2025, month: 4, day: 1)!, 300),
        (CalendarDate(year: 2026, month: 5, day: 1)!, 280),
    ]

    /// Providers outside the Sozialraum teams that receive payments from the variabel and ASD pots.
    static let otherProviders = ["dolmetscherdienst-trier", "familienbildung-trier", "jugendkunstschule",
                                 "musikschule-saarburg", "praxis-logopaedie-konz", "sportverein-hermeskeil",
                                 "suchtberatung-trier", "tagespflege-netz"]

    /// Who decides moving funds into prevention (§ 4: the steering group).
    static let steering = "lenkungsgruppe"

    /// Who heads the ASD: a signer for every Sozialraum.
    static let asdHead = "asd-leitung-01"
}

/// How a Hilfeart is granted and booked in the generated data (DOMAIN.md "Realistic numbers").
struct HilfeProfile {
    enum Model {
        /// Hours per week (minutes, from…to in steps of 30), one booking a week.
        case weekly(ClosedRange<Int>)
        /// A total (minutes, in whole hours) used up in sessions of these lengths every week or two.
        case sessions(total: ClosedRange<Int>, session: [Int64])
    }

    let hilfeart: Hilfeart
    /// Share among new Kontrakte, in permille.
    let weight: Int
    let model: Model
    /// Duration of the help in months.
    let months: ClosedRange<Int>

    static let all: [HilfeProfile] = [
        HilfeProfile(hilfeart: .erziehungsberatung, weight: 300, model: .sessions(total: 5...25, session: [60, 90]), months: 1...3),
        HilfeProfile(hilfeart: .familienhilfe, weight: 280, model: .weekly(240...600), months: 6...18),
        HilfeProfile(hilfeart: .erziehungsbeistandschaft, weight: 180, model: .weekly(120...360), months: 6...18),
        HilfeProfile(hilfeart: .jungeVolljaehrige, weight: 70, model: .weekly(120...360), months: 6...18),
        HilfeProfile(hilfeart: .jugendgerichtshilfe, weight: 70, model: .sessions(total: 3...15, session: [60, 90, 120]), months: 1...4),
        HilfeProfile(hilfeart: .sozialeGruppenarbeit, weight: 60, model: .weekly(120...240), months: 6...12),
        HilfeProfile(hilfeart: .tagesgruppe, weight: 20, model: .weekly(360...600), months: 6...18),
        HilfeProfile(hilfeart: .vollzeitpflege, weight: 20, model: .weekly(60...180), months: 6...18),
    ]

    static func of(_ h: Hilfeart) -> HilfeProfile { all.first { $0.hilfeart == h }! }

    var isWeekly: Bool { if case .weekly = model { true } else { false } }
}
