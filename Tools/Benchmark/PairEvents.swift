import LedgerCore

/// The two sides of one Jugendamt–Träger relationship, for the reconciliation figure: the
/// Jugendamt's ledger records the Träger's agreement, Kontrakte and hours (all in its stream
/// `traeger:tr-00`), and the Träger's ledger records the same (in its stream
/// `jugendamt:trier-saarburg`), with a recorded history (see ``History``) that ends with the
/// reconciled quarter.
///
/// Both sides walk one shared sequence (agreement, Kontrakte, then HoursBooked) generated from
/// the same seed; each side adds one record of its own first (the Jugendamt its ASD signer, the
/// Träger a staff member, in its `intern` stream) and a few planted differences in the last
/// quarter make the findings non-zero: see ``Plant``. Each side has exactly `total` records.
struct PairEvents: EventSource {
    static let traeger = "tr-00"
    static let sozialraum = Sozialraum.konz

    /// Where the two sides differ, by index in the shared sequence (counted from its end, so
    /// that the bookings are dated in the reconciled quarter whatever the total).
    enum Plant {
        /// A booking only the Jugendamt has.
        static let missingAtTraeger = 11
        /// A booking only the Träger has.
        static let missingAtJugendamt = 22
        /// The Träger booked 15 minutes more.
        static let otherMinutes = 33
        /// The Träger dated the booking a day earlier (same quarter).
        static let otherDate = 44
        /// The Träger recorded the first Kontrakt with 600 minutes more granted.
        static let otherGrantKontrakt = 0
        /// What they cause: booking missing ×2, booking mismatch ×2, Kontrakt mismatch, and the
        /// hours of up to three Kontrakte (fewer when two plants share one).
        static let findingsAtLeast = 5
    }

    let side: Side
    let total: Int
    let kontraktCount: Int
    let history: History
    private var produced = 0
    /// The next index in the shared sequence.
    private var shared = 0
    private var rng: SplitMix64
    private let firstDay: CalendarDate

    init(side: Side, total: Int, seed: UInt64 = 0x9A12) {
        self.side = side
        self.total = total
        kontraktCount = max(20, total / 400)
        history = History(total: total)
        firstDay = history.firstServiceDay
        rng = SplitMix64(seed: seed)
    }

    /// The index in the shared sequence of a plant counted from the end.
    private func plantIndex(_ fromEnd: Int) -> Int { total - 1 - fromEnd }

    mutating func next(_ count: Int) -> [NewEvent] {
        var out: [NewEvent] = []
        while out.count < count && produced < total {
            var event: NewEvent
            if produced == 0 {
                event = ownFirst()
            } else {
                // Generate every shared event on both sides (the generator stays in step), then
                // leave out or alter the planted ones.
                var candidate = sharedEvent(shared)
                let index = shared
                shared += 1
                if side == .traeger, index == plantIndex(Plant.missingAtTraeger) { continue }
                if side == .jugendamt, index == plantIndex(Plant.missingAtJugendamt) { continue }
                if side == .traeger { alter(&candidate, index: index) }
                event = candidate
            }
            event.recordedAt = history.recordedAt(produced)
            out.append(event)
            produced += 1
        }
        return out
    }

    private func ownFirst() -> NewEvent {
        switch side {
        case .jugendamt:
            NewEvent(type: "SignerAuthorized", key: "setup-signer", actor: "u-0001",
                     data: BenchEvents.object(["signer": .string(BenchEvents.signer), "from": "2020-01-01"]))
        case .traeger:
            NewEvent(type: "StaffAssigned", key: "setup-staff", actor: "u-0001", data: BenchEvents.object([
                "staff": "st-1000", "traeger": .string(Self.traeger), "sozialraum": .string(Self.sozialraum.rawValue),
                "qualification": "fachstudium", "stellenumfangPercent": 100, "from": .string(firstDay.description),
            ]))
        }
    }

    private func alter(_ event: inout NewEvent, index: Int) {
        if index == 1 + Plant.otherGrantKontrakt {
            event.data["grantedMinutes"] = .int(60_600)
        } else if index == plantIndex(Plant.otherMinutes) {
            event.data["minutes"] = .int((event.data["minutes"]?.int ?? 0) + 15)
        } else if index == plantIndex(Plant.otherDate), let date = event.data["date"]?.string.flatMap(CalendarDate.init) {
            event.data["date"] = .string(date.advanced(by: -1).description)
        }
    }

    /// Shared event `index`: the agreement, the Kontrakte, then hours on random Kontrakte.
    private mutating func sharedEvent(_ index: Int) -> NewEvent {
        let validFrom = JSON.string(firstDay.description)
        if index == 0 {
            return NewEvent(type: "AgreementSigned", key: "setup-agreement", actor: "u-0001", data: BenchEvents.object([
                "agreement": .string("ag-\(Self.traeger)"), "traeger": .string(Self.traeger),
                "sozialraum": .string(Self.sozialraum.rawValue), "validFrom": validFrom, "validTo": "2027-12-31",
                "stellenfaktorCents": 7_243_000, "jahresarbeitszeitMinutes": 100_200, "planstellenHundredths": 350,
            ]))
        }
        if index <= kontraktCount {
            let k = index - 1
            return NewEvent(type: "KontraktSigned", key: "setup-kontrakt-\(k)", actor: "u-0001", data: BenchEvents.object([
                "kontrakt": .string(BenchEvents.kontrakt(k)), "fall": .string("fall-\(100_000 + k)"),
                "sozialraum": .string(Self.sozialraum.rawValue), "traeger": .string(Self.traeger),
                "hilfeart": "31", "funding": "variabel", "grantedMinutes": 60_000,
                "validFrom": validFrom, "validTo": "2027-12-31", "signedBy": .string(BenchEvents.signer),
            ]))
        }
        // Recorded at about the position it has in both logs (one own record before it).
        let k = Int(rng.next() % UInt64(kontraktCount))
        let date = max(firstDay, history.recordedAt(index + 1).date.advanced(by: -Int(rng.next() % 28)))
        let minutes: Int64 = [45, 60, 60, 90, 90, 120][Int(rng.next() % 6)]
        let staff = 1_000 + Int(rng.next() % 8)
        return NewEvent(type: "HoursBooked", key: BenchEvents.randomKey(&rng), actor: "u-\(staff)", data: BenchEvents.object([
            "booking": .string("hb-\(10_000_000 + index)"), "kontrakt": .string(BenchEvents.kontrakt(k)),
            "date": .string(date.description), "minutes": .int(minutes), "staff": .string("st-\(staff)"),
        ]))
    }
}
