/// The concept paper's rules: what each side may record, checked against the ledger's state
/// before anything is written (see docs/EVENTS.md for each rule and its source).
public struct DomainPolicy: LedgerPolicy {
    /// Views maintained in the same transaction as the append (the projector), if any.
    public let views: (any ViewMaintainer)?

    public init(views: (any ViewMaintainer)? = nil) { self.views = views }

    public func admit(_ new: NewEvent, on ledger: LedgerContext, state: any StateAccess) throws -> Admission {
        let event = try DomainEvent(type: new.type, data: new.data)
        let side = ledger.name.side
        func refuse(_ field: String, _ message: String) -> ValidationError { ValidationError(field: field, message) }

        switch (event.type.recordedBy, side) {
        case (.jugendamt, .traeger):
            throw refuse("type", "\(new.type) is recorded by the Jugendamt only, not on a Träger's ledger")
        case (.traeger, .jugendamt):
            throw refuse("type", "\(new.type) is recorded by the Träger only, not on the Jugendamt's ledger")
        default: break
        }
        if side == .jugendamt, new.data["jugendamt"] != nil {
            throw refuse("data.jugendamt", "data.jugendamt is only for a Träger's ledger (it names the Jugendamt a record concerns)")
        }
        // A Träger records only its own Kontrakte, bookings and agreements.
        if side == .traeger, case .string(let t)? = new.data["traeger"], t != ledger.name.org {
            throw refuse("data.traeger", "data.traeger must be this Träger (\(ledger.name.org)): a Träger records only its own Kontrakte and bookings, got \"\(t)\"")
        }

        var traegerOfRecord: String?
        var warnings: [String] = []

        switch event {
        case .agreementSigned(let a):
            guard a.validTo >= a.validFrom else { throw refuse("data.validTo", "data.validTo (\(a.validTo)) must not be before data.validFrom (\(a.validFrom))") }
            if try state.get(stateKey("aid", a.agreement)) != nil {
                throw refuse("data.agreement", "agreement \"\(a.agreement)\" exists already; agreement ids are unique")
            }
            for other in try AgreementState.all(a.traeger, a.sozialraum, state) where other.validFrom <= a.validTo && a.validFrom <= other.validTo {
                throw refuse("data.validFrom", "the agreement overlaps agreement \"\(other.agreement)\" (\(other.validFrom) to \(other.validTo)) of \(a.traeger) in \(a.sozialraum.rawValue); one agreement per Träger and Sozialraum at a time")
            }
            if a.validFrom.advanced(by: 0).distance(to: a.validTo) > Self.fiveYearsDays(from: a.validFrom) {
                warnings.append("agreement \(a.agreement) runs longer than five years (the concept's contract term, § 1)")
            }
            traegerOfRecord = a.traeger

        case .budgetSet(let b):
            if try state.get(stateKey("bs", b.sozialraum.rawValue, String(b.year))) != nil {
                throw refuse("data.year", "the budget of \(b.sozialraum.rawValue) for \(b.year) is set already; it changes only by TariffAdjusted (§ 3)")
            }

        case .tariffAdjusted:
            break

        case .signerAuthorized:
            break

        case .signerRevoked(let s):
            let signer = try SignerState.load(s.signer, state)
            guard signer.grants.contains(where: { $0.to == nil && (s.sozialraum == nil || $0.sozialraum == s.sozialraum || $0.sozialraum == nil) }) else {
                throw refuse("data.signer", "signer \"\(s.signer)\" holds no open authorisation\(s.sozialraum.map { " for \($0.rawValue)" } ?? "") to revoke")
            }

        case .staffAssigned(let s):
            guard s.stellenumfangPercent >= 50 else {
                throw refuse("data.stellenumfangPercent", "data.stellenumfangPercent must be at least 50: each post is at least half of full time (§ 3.1.1), got \(s.stellenumfangPercent)")
            }
            if let existing = try StaffState.load(s.staff, state), existing.to == nil {
                throw refuse("data.staff", "staff \"\(s.staff)\" is assigned already (since \(existing.from)); record StaffLeft first")
            }

        case .staffLeft(let s):
            guard let existing = try StaffState.load(s.staff, state), existing.to == nil else {
                throw refuse("data.staff", "staff \"\(s.staff)\" is not assigned, so cannot leave")
            }
            guard s.to >= existing.from else { throw refuse("data.to", "data.to (\(s.to)) is before the staff member started (\(existing.from))") }

        case .kontraktSigned(let k):
            guard k.validTo >= k.validFrom else { throw refuse("data.validTo", "data.validTo (\(k.validTo)) must not be before data.validFrom (\(k.validFrom))") }
            if try KontraktState.load(k.kontrakt, state) != nil {
                throw refuse("data.kontrakt", "Kontrakt \"\(k.kontrakt)\" exists already; Kontrakt ids are unique")
            }
            if side == .jugendamt { try Self.requireSigner(k.signedBy, for: k.sozialraum, on: k.validFrom, state) }
            traegerOfRecord = k.traeger

        case .kontraktAmended(let a):
            let k = try Self.runningKontrakt(a.kontrakt, field: "data.kontrakt", state)
            guard a.effectiveFrom >= k.validFrom, a.effectiveFrom <= k.lastDay else {
                throw refuse("data.effectiveFrom", "data.effectiveFrom (\(a.effectiveFrom)) lies outside Kontrakt \(a.kontrakt)'s period \(k.validFrom) to \(k.lastDay)")
            }
            if let to = a.validTo, to < a.effectiveFrom {
                throw refuse("data.validTo", "data.validTo (\(to)) must not be before data.effectiveFrom (\(a.effectiveFrom))")
            }
            if side == .jugendamt { try Self.requireSigner(a.signedBy, for: k.sozialraum, on: a.effectiveFrom, state) }
            traegerOfRecord = k.traeger

        case .kontraktEnded(let e):
            let k = try Self.runningKontrakt(e.kontrakt, field: "data.kontrakt", state)
            guard e.endedOn >= k.validFrom, e.endedOn <= k.validTo else {
                throw refuse("data.endedOn", "data.endedOn (\(e.endedOn)) lies outside Kontrakt \(e.kontrakt)'s period \(k.validFrom) to \(k.validTo)")
            }
            traegerOfRecord = k.traeger

        case .hoursBooked(let h):
            guard let k = try KontraktState.load(h.kontrakt, state) else {
                throw refuse("data.kontrakt", "data.kontrakt \"\(h.kontrakt)\" is not a known Kontrakt; book hours only on a signed Kontrakt")
            }
            if let ended = k.endedOn, h.date > ended {
                throw refuse("data.date", "Kontrakt \(h.kontrakt) ended on \(ended); hours dated \(h.date) cannot be booked on it")
            }
            guard h.date >= k.validFrom, h.date <= k.lastDay else {
                throw refuse("data.date", "data.date (\(h.date)) lies outside Kontrakt \(h.kontrakt)'s period \(k.validFrom) to \(k.lastDay)")
            }
            try Self.requireNewBooking(h.booking, field: "data.booking", state)
            if k.bookedMinutes + h.minutes > k.grantedMinutes {
                warnings.append("Kontrakt \(h.kontrakt): \(k.bookedMinutes + h.minutes) minutes booked, beyond the \(k.grantedMinutes) granted (accepted and flagged)")
            }
            traegerOfRecord = k.traeger

        case .preventionBooked(let p):
            try Self.requireNewBooking(p.booking, field: "data.booking", state)
            traegerOfRecord = p.traeger

        case .paymentBooked(let p):
            try Self.requireNewBooking(p.payment, field: "data.payment", state)
            if let kid = p.kontrakt {
                guard let k = try KontraktState.load(kid, state) else {
                    throw refuse("data.kontrakt", "data.kontrakt \"\(kid)\" is not a known Kontrakt")
                }
                guard k.traeger == p.traeger else {
                    throw refuse("data.traeger", "data.traeger \"\(p.traeger)\" is not the Träger of Kontrakt \(kid) (\(k.traeger))")
                }
            }
            traegerOfRecord = p.traeger

        case .bookingReversed(let r):
            guard let b = try BookingState.load(r.booking, state) else {
                throw refuse("data.booking", "data.booking \"\(r.booking)\" is not a known booking or payment")
            }
            guard !b.reversed else { throw refuse("data.booking", "booking \"\(r.booking)\" is reversed already") }
            traegerOfRecord = b.traeger

        case .fundsReallocated(let f):
            guard try state.get(stateKey("bs", f.sozialraum.rawValue, String(f.year))) != nil else {
                throw refuse("data.year", "no budget is set for \(f.sozialraum.rawValue) in \(f.year); set it before moving funds")
            }

        case .quarterClosed(let q):
            if try state.get(stateKey("qc", String(q.year), String(q.quarter))) != nil {
                throw refuse("data.quarter", "quarter \(q.quarter)/\(q.year) is closed already")
            }

        case .reconciliationRecorded(let r):
            let counterparty = LedgerName(r.counterparty)!
            guard counterparty.side != side else {
                throw refuse("data.counterparty", "data.counterparty must be a ledger of the other side, got \(r.counterparty)")
            }
            if side == .jugendamt {
                traegerOfRecord = counterparty.org
            } else {
                return Admission(stream: r.counterparty, warnings: warnings, event: event)
            }

        case .yearEndSettled(let y):
            if try state.get(stateKey("ye", y.traeger, y.sozialraum.rawValue, String(y.year))) != nil {
                throw refuse("data.year", "the year \(y.year) is settled already for \(y.traeger) in \(y.sozialraum.rawValue)")
            }
            traegerOfRecord = y.traeger
        }

        let stream: String
        switch side {
        case .jugendamt:
            stream = traegerOfRecord.map { "traeger:\($0)" } ?? StreamName.intern
        case .traeger:
            switch event.type {
            case .staffAssigned, .staffLeft: stream = StreamName.intern
            default:
                guard let j = new.data["jugendamt"]?.string ?? ledger.jugendamt else {
                    throw refuse("data.jugendamt", "name the Jugendamt this record concerns: data.jugendamt, or init the ledger with --jugendamt")
                }
                stream = "jugendamt:\(j)"
            }
        }
        return Admission(stream: stream, warnings: warnings, event: event)
    }

    public func apply(_ record: Record, _ admission: Admission, on ledger: LedgerContext, state: any StateAccess) throws {
        let event: DomainEvent
        if let e = admission.event { event = e } else { event = try DomainEvent(type: record.type, data: record.data) }
        switch event {
        case .agreementSigned(let a):
            try AgreementState(agreement: a.agreement, traeger: a.traeger, sozialraum: a.sozialraum, validFrom: a.validFrom,
                               validTo: a.validTo, stellenfaktorCents: a.stellenfaktorCents,
                               jahresarbeitszeitMinutes: a.jahresarbeitszeitMinutes, planstellenHundredths: a.planstellenHundredths).save(state)
        case .budgetSet(let b):
            var w = BinaryWriter(); w.int(b.gesamtCents)
            try state.put(stateKey("bs", b.sozialraum.rawValue, String(b.year)), w.bytes)
        case .signerAuthorized(let s):
            var signer = try SignerState.load(s.signer, state)
            signer.grants.append(.init(sozialraum: s.sozialraum, from: s.date, to: nil))
            try signer.save(s.signer, state)
        case .signerRevoked(let s):
            var signer = try SignerState.load(s.signer, state)
            for i in signer.grants.indices where signer.grants[i].to == nil && (s.sozialraum == nil || signer.grants[i].sozialraum == s.sozialraum || signer.grants[i].sozialraum == nil) {
                signer.grants[i].to = s.date
            }
            try signer.save(s.signer, state)
        case .staffAssigned(let s):
            try StaffState(traeger: s.traeger, sozialraum: s.sozialraum, from: s.from, to: nil).save(s.staff, state)
        case .staffLeft(let s):
            if var existing = try StaffState.load(s.staff, state) {
                existing.to = s.to
                try existing.save(s.staff, state)
            }
        case .kontraktSigned(let k):
            try KontraktState(kontrakt: k.kontrakt, fall: k.fall, traeger: k.traeger, sozialraum: k.sozialraum, hilfeart: k.hilfeart,
                              funding: k.funding, grantedMinutes: k.grantedMinutes, validFrom: k.validFrom, validTo: k.validTo,
                              endedOn: nil, bookedMinutes: 0).save(state)
        case .kontraktAmended(let a):
            if var k = try KontraktState.load(a.kontrakt, state) {
                if let h = a.hilfeart { k.hilfeart = h }
                if let f = a.funding { k.funding = f }
                if let g = a.grantedMinutes { k.grantedMinutes = g }
                if let t = a.validTo { k.validTo = t }
                try k.save(state)
            }
        case .kontraktEnded(let e):
            if var k = try KontraktState.load(e.kontrakt, state) {
                k.endedOn = e.endedOn
                try k.save(state)
            }
        case .hoursBooked(let h):
            if var k = try KontraktState.load(h.kontrakt, state) {
                k.bookedMinutes += h.minutes
                try k.save(state)
                try BookingState(id: h.booking, kind: .hours, traeger: k.traeger, kontrakt: h.kontrakt, amount: h.minutes,
                                 date: h.date, reversed: false).save(state)
            }
        case .preventionBooked(let p):
            try BookingState(id: p.booking, kind: .prevention, traeger: p.traeger, kontrakt: nil, amount: p.minutes,
                             date: p.date, reversed: false).save(state)
        case .paymentBooked(let p):
            try BookingState(id: p.payment, kind: .payment, traeger: p.traeger, kontrakt: p.kontrakt, amount: p.amountCents,
                             date: p.date, reversed: false).save(state)
        case .bookingReversed(let r):
            if var b = try BookingState.load(r.booking, state) {
                b.reversed = true
                try b.save(state)
                if b.kind == .hours, let kid = b.kontrakt, var k = try KontraktState.load(kid, state) {
                    k.bookedMinutes -= b.amount
                    try k.save(state)
                }
            }
        case .quarterClosed(let q):
            try state.put(stateKey("qc", String(q.year), String(q.quarter)), [1])
        case .yearEndSettled(let y):
            try state.put(stateKey("ye", y.traeger, y.sozialraum.rawValue, String(y.year)), [1])
        case .tariffAdjusted, .fundsReallocated, .reconciliationRecorded:
            break
        }
        try views?.apply(record, event, on: ledger, state: state)
    }

    public func finish(on ledger: LedgerContext, state: any StateAccess) throws {
        if views != nil { try Projector.flush(state.scratch, state: state) }
    }

    static func runningKontrakt(_ id: String, field: String, _ state: any StateAccess) throws -> KontraktState {
        guard let k = try KontraktState.load(id, state) else {
            throw ValidationError(field: field, "\(field) \"\(id)\" is not a known Kontrakt")
        }
        if let ended = k.endedOn {
            throw ValidationError(field: field, "Kontrakt \(id) ended on \(ended); it cannot change any more")
        }
        return k
    }

    /// On the Jugendamt's ledger only the ASD signs Kontrakte and their amendments (§ 4).
    static func requireSigner(_ signer: String, for sozialraum: Sozialraum, on date: CalendarDate, _ state: any StateAccess) throws {
        guard try SignerState.load(signer, state).authorises(sozialraum, on: date) else {
            throw ValidationError(field: "data.signedBy", "data.signedBy \"\(signer)\" is not an authorised ASD signer for \(sozialraum.rawValue) on \(date); only the ASD signs Kontrakte (§ 4)")
        }
    }

    static func requireNewBooking(_ id: String, field: String, _ state: any StateAccess) throws {
        if try state.get(BookingState.key(id)) != nil {
            throw ValidationError(field: field, "\(field) \"\(id)\" exists already as a booking or payment; booking and payment ids are unique")
        }
    }

    /// Days in the five years from `from` (leap days counted).
    static func fiveYearsDays(from: CalendarDate) -> Int {
        let (y, m, d) = from.components
        let end = CalendarDate(year: y + 5, month: m, day: min(d, CalendarDate.daysIn(month: m, year: y + 5)))!
        return from.distance(to: end) - 1
    }
}

/// Views kept in step with the log, inside the append's transaction (the projector).
public protocol ViewMaintainer: Sendable {
    func apply(_ record: Record, _ event: DomainEvent, on ledger: LedgerContext, state: any StateAccess) throws
}
