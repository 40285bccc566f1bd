/// The four Sozialräume of the Landkreis Trier-Saarburg (concept paper § 1).
public enum Sozialraum: String, CaseIterable, Sendable, Codable, Comparable {
    case konz
    case schweich
    case hermeskeil
    case saarburg

    public static func < (a: Sozialraum, b: Sozialraum) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// The name people use.
    public var displayName: String {
        switch self {
        case .konz: "Konz"
        case .schweich: "Ruwer / Schweich / Trier-Land"
        case .hermeskeil: "Hermeskeil"
        case .saarburg: "Saarburg"
        }
    }

    /// The area it covers.
    public var area: String {
        switch self {
        case .konz: "Verbandsgemeinde Konz"
        case .schweich: "VG Schweich, VG Trier-Land, VG Ruwer"
        case .hermeskeil: "VG Hermeskeil; from VG Kell am See: Heddert, Kell am See, Mandern, Schillingen, Waldweiler"
        case .saarburg: "VG Saarburg; from VG Kell am See: Baldringen, Greimerath, Hentern, Lampaden, Paschel, Schömerich, Vierherrenborn, Zerf"
        }
    }

    /// The Sozialraumzentren (addresses from the concept paper).
    public var zentren: [String] {
        switch self {
        case .konz: ["Konstantinstraße 50, 54329 Konz"]
        case .schweich: ["Stefan-Andres-Straße 4, 54338 Schweich",
                         "JHZ Don Bosco Helenenberg, Puricellistraße 1, 54298 Welschbillig-Helenenberg"]
        case .hermeskeil: ["Schulstraße 6 a, 54411 Hermeskeil"]
        case .saarburg: ["Bahnhofstraße 9, 54439 Saarburg"]
        }
    }
}

/// Types of help in scope (SGB VIII; concept paper § 1).
public enum Hilfeart: String, CaseIterable, Sendable, Codable, Comparable {
    case erziehungsberatung = "28"
    case sozialeGruppenarbeit = "29"
    case erziehungsbeistandschaft = "30"
    case familienhilfe = "31"
    case tagesgruppe = "32"
    case vollzeitpflege = "33"
    case jungeVolljaehrige = "41"
    case jugendgerichtshilfe = "52"

    public static func < (a: Hilfeart, b: Hilfeart) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// "§ 31 Sozialpädagogische Familienhilfe" and so on.
    public var displayName: String {
        switch self {
        case .erziehungsberatung: "§ 28 Erziehungsberatung"
        case .sozialeGruppenarbeit: "§ 29 Soziale Gruppenarbeit"
        case .erziehungsbeistandschaft: "§ 30 Erziehungsbeistandschaft"
        case .familienhilfe: "§ 31 Sozialpäd. Familienhilfe"
        case .tagesgruppe: "§ 32 Tagesgruppe"
        case .vollzeitpflege: "§ 33/37 Vollzeitpflege (Teile)"
        case .jungeVolljaehrige: "§ 41 Hilfe für junge Volljährige"
        case .jugendgerichtshilfe: "§ 52 Jugendgerichtshilfe"
        }
    }

    /// Why a Hilfeart outside the concept is refused, or `nil` when the value is simply unknown.
    public static func exclusionReason(_ value: String) -> String? {
        switch value {
        case "35a": "§35a Eingliederungshilfe is not part of the concept (§ 1: \"nicht Bestandteil dieses Konzepts\")"
        case "34": "§34 stationary care is not part of the concept yet (§ 2: a later extension)"
        default: nil
        }
    }
}

/// The pots a Sozialraum's money is split into (concept paper § 3).
public enum Funding: String, CaseIterable, Sendable, Codable, Comparable {
    /// 80 % of the Sozialraumfinanzvolumen: the staff lump sum (§ 3.1.1).
    case personalisiert
    /// 20 % of the Sozialraumfinanzvolumen: by the hour and other providers (§ 3.1.2).
    case variabel
    /// 15 % of the Gesamtfinanzvolumen, at the ASD's disposal (§ 3.2).
    case asd
    /// Prevention and network work: at least 10 % of the Sozialraumfinanzvolumen (§ 3.3).
    case praevention

    public static func < (a: Funding, b: Funding) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    public var displayName: String {
        switch self {
        case .personalisiert: "Personalisiert (80 %)"
        case .variabel: "Variabel (20 %)"
        case .asd: "ASD (15 %)"
        case .praevention: "Prävention (≥ 10 %)"
        }
    }
}

/// Staff qualification (§ 3.1.1, Fachkräftegebot).
public enum Qualification: String, CaseIterable, Sendable {
    case fachstudium
    case erzieherZusatz = "erzieher-zusatz"
    case vergleichbar
}

/// Why a Kontrakt ended.
public enum EndReason: String, CaseIterable, Sendable {
    case planmaessig, abbruch, wechsel, sonstiges
}

/// Prevention or network work (§ 3.3).
public enum PreventionCategory: String, CaseIterable, Sendable {
    case praevention, netzwerk
}

/// The pots funds may be moved out of, into prevention (§ 3.3, § 4).
public enum ReallocationSource: String, CaseIterable, Sendable {
    case personalisiert, variabel
}
