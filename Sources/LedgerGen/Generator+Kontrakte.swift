import LedgerCore

extension Generator {
    // MARK: - Kontrakte: signed, amended, ended, booked

    func newKontrakteCount(_ sz: Sozialraum, _ r: inout Xoshiro256) -> Int {
        min(max(Int(posts[sz]!) * r.int(12...14) / 100, 60), 180) * o.scale
    }

    func pickPair(_ sz: Sozialraum, _ r: inout Xoshiro256) -> Pair {
        r.weighted(traegerPairs(sz).map { ($0, Int(planstellen[$0]!)) })
    }

    func newFall(_ r: inout Xoshiro256) -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyz23456789")
        while true {
            let id = "fall-" + String((0..<8).map { _ in r.pick(alphabet) })
            if falls.insert(id).inserted { return id }
        }
    }

    /// Kontrakte signed before the first year and still running on its first day. Their hours
    /// before then were booked in the older system; they move over with the grant that remains.
    func makeCarryOverKontrakte() {
        let weekly = HilfeProfile.all.filter(\.isWeekly)
        for sz in Sozialraum.allCases {
            var r = rng("carry-over/\(sz.rawValue)")
            let count = newKontrakteCount(sz, &r) * 55 / 100
            var starts: [(CalendarDate, HilfeProfile, Int)] = []
            for _ in 0..<count {
                let profile = r.weighted(weekly.map { ($0, $0.weight) })
                var months = r.int(profile.months), from = firstDay
                for _ in 0..<20 {
                    months = r.int(profile.months)
                    from = r.weekday(firstDay.addingMonths(-months).advanced(by: 31), firstDay.advanced(by: -20))
                    if from.addingMonths(months).advanced(by: -1) >= firstDay.advanced(by: 30) { break }
                }
                starts.append((from, profile, months))
            }
            starts.sort { $0.0 < $1.0 }
            for (n, (from, profile, months)) in starts.enumerated() {
                let k = makeKontrakt(id: "k-\(sz.rawValue)-\(o.startYear - 1)-\(pad(n + 1, 4))", sz: sz, from: from,
                                     profile: profile, months: months, grantStart: firstDay, &r)
                k.jaSignedAt = setupTime(0)
                k.trSignedAt = setupTime(ledger(of: k.pair.traeger))
            }
        }
    }

    func makeKontrakte(_ year: Int) {
        for sz in Sozialraum.allCases {
            var r = rng("kontrakte/\(sz.rawValue)/\(year)")
            var starts: [(CalendarDate, HilfeProfile)] = (0..<newKontrakteCount(sz, &r)).map { _ in
                (r.weekday(.jan1(year), .dec31(year)), r.weighted(HilfeProfile.all.map { ($0, $0.weight) }))
            }
            starts.sort { $0.0 < $1.0 }
            for (n, (from, profile)) in starts.enumerated() {
                let k = makeKontrakt(id: "k-\(sz.rawValue)-\(year)-\(pad(n + 1, 4))", sz: sz, from: from, profile: profile,
                                     months: r.int(profile.months), grantStart: from, &r)
                let signed = r.weekday(from.advanced(by: -10), from.advanced(by: -2)).at(r.int(8...15), r.int(0...59))
                k.jaSignedAt = signed
                k.trSignedAt = min(officeTimeAfter(signed, &r), from.advanced(by: -1).at(18, 0))
            }
        }
    }

    /// When the Träger enters what the ASD signed at `signed`: the same or the next day, in office
    /// hours, at least an hour later.
    func officeTimeAfter(_ signed: Timestamp, _ r: inout Xoshiro256) -> Timestamp {
        var day = signed.date.advanced(by: r.int(0...1))
        while !day.isWeekday { day = day.advanced(by: 1) }
        let at = day.at(r.int(9...16), r.int(0...59))
        return max(at, Timestamp(seconds: signed.seconds + 3600))
    }

    /// Counts the weeks (by their Monday) that touch `from...to`.
    static func weekMondays(_ from: CalendarDate, _ to: CalendarDate) -> [CalendarDate] {
        guard from <= to else { return [] }
        return Array(stride(from: from.monday, through: to, by: 7))
    }

    /// Builds a Kontrakt with its grant, amendments, early end and bookings (not yet emitted).
    func makeKontrakt(id: String, sz: Sozialraum, from: CalendarDate, profile: HilfeProfile, months: Int,
                      grantStart: CalendarDate, _ r: inout Xoshiro256) -> KontraktModel {
        let pair = pickPair(sz, &r)
        let funding = r.weighted([(Funding.personalisiert, 800), (.variabel, 130), (.asd, 70)])
        let slot: Int? = funding == .personalisiert ? r.int(0...(slots[pair]!.count - 1)) : nil
        let k = KontraktModel(id: id, fall: newFall(&r), pair: pair, funding: funding, profile: profile, validFrom: from,
                              validTo: from.addingMonths(months).advanced(by: -1), grantStart: grantStart,
                              signedBy: signer(sz, on: from, &r), slot: slot)
        switch profile.model {
        case .weekly(let range):
            let rate = Int64(r.int(range) / 30 * 30)
            k.phases = [(grantStart, rate)]
            k.grantedMinutes = rate * Int64(Self.weekMondays(grantStart, k.validTo).count)
        case .sessions(let total, _):
            k.grantedMinutes = Int64(r.int(total)) * 60
        }
        // Some helps end early: goals reached, broken off, a change of help.
        if r.chance(permille: 150) {
            let span = from.distance(to: k.validTo)
            let ended = from.advanced(by: span * r.int(30...80) / 100)
            if ended >= grantStart.advanced(by: 7), ended < k.validTo, ended <= horizon { k.endedOn = ended }
        }
        k.signedGrant = k.grantedMinutes
        k.beyondGrant = o.hoursBeyondGrant && r.chance(permille: 25)
        if profile.isWeekly, !k.beyondGrant, r.chance(permille: 120) { amend(k, &r) }
        book(k, &r)
        kontrakte.append(k)
        kontrakteByPair[pair, default: []].append(k)
        return k
    }

    /// Records one amendment in the model: a longer help, more hours a week, or another Hilfeart.
    func amend(_ k: KontraktModel, _ r: inout Xoshiro256) {
        let lo = max(k.validFrom.advanced(by: 28), k.grantStart.advanced(by: 7)).monday.advanced(by: 7)
        let hi = min(k.lastDay, horizon).advanced(by: -14)
        guard lo <= hi else { return }
        let effective = r.day(lo, hi).monday
        guard effective >= lo else { return }
        guard case .weekly(let range) = k.profile.model else { return }
        var change = r.weighted([("extend", 50), ("raise", 30), ("hilfeart", 20)])
        let rate = k.rate(on: effective)
        if change == "raise", rate + 60 > Int64(range.upperBound) { change = "extend" }
        if change == "extend", k.endedOn != nil { change = "hilfeart" }
        if change == "hilfeart", ![.familienhilfe, .erziehungsbeistandschaft, .jungeVolljaehrige].contains(k.hilfeart) { return }
        var data = JSONObject([("kontrakt", .string(k.id)), ("effectiveFrom", .string(effective.description)),
                               ("signedBy", .string(signer(k.pair.sozialraum, on: effective, &r)))])
        switch change {
        case "extend":
            let newTo = k.validTo.addingMonths(r.int(3...6))
            let extra = Self.weekMondays(k.validTo.monday.advanced(by: 7), newTo).count
            k.validTo = newTo
            k.grantedMinutes += Int64(extra) * k.phases.last!.minutes
            data["validTo"] = .string(newTo.description)
            data["grantedMinutes"] = .int(k.grantedMinutes)
        case "raise":
            let delta: Int64 = rate + 120 <= Int64(range.upperBound) && r.chance(permille: 400) ? 120 : 60
            let weeks = Self.weekMondays(effective, k.validTo).count
            k.phases.append((effective, rate + delta))
            k.grantedMinutes += Int64(weeks) * delta
            data["grantedMinutes"] = .int(k.grantedMinutes)
        default:
            let next: Hilfeart = switch k.hilfeart {
            case .familienhilfe: .erziehungsbeistandschaft
            case .erziehungsbeistandschaft: r.chance(permille: 500) ? .familienhilfe : .jungeVolljaehrige
            default: .erziehungsbeistandschaft
            }
            k.hilfeart = next
            data["hilfeart"] = .string(next.rawValue)
        }
        k.amended = true
        k.amendment = (effective, data)
    }

    /// The hours delivered: weekly, or in sessions; mostly within the grant, a few beyond.
    func book(_ k: KontraktModel, _ r: inout Xoshiro256) {
        let end = min(k.lastDay, horizon)
        var n = 0
        func add(_ date: CalendarDate, _ minutes: Int64) {
            n += 1
            let staff = k.slot.flatMap { slots[k.pair]![$0].occupant(on: date) }
            let tr = date.advanced(by: r.int(0...2)).at(r.int(15...18), r.int(0...59))
            let ja = date.monday.advanced(by: 8).at(7, r.int(0...119))
            k.bookings.append(BookingModel(id: "\(k.bookingPrefix)-\(pad(n, 3))", date: date, minutes: minutes, staff: staff, jaAt: ja, trAt: tr))
        }
        switch k.profile.model {
        case .weekly:
            for monday in Self.weekMondays(max(k.grantStart, k.validFrom), end) {
                if r.chance(permille: 80) { continue } // holidays, illness, a cancelled visit
                let rate = k.rate(on: max(monday, k.grantStart))
                let percent = Int64(k.beyondGrant ? r.int(110...130) : r.int(55...100))
                var minutes = max(rate * percent / 100 / 15 * 15, 15)
                if !k.beyondGrant { minutes = min(minutes, rate) }
                let lo = max(monday, k.validFrom, k.grantStart)
                let hi = min(monday.advanced(by: 6), end)
                guard lo <= hi else { continue }
                add(r.weekday(lo, min(max(lo, monday.advanced(by: 4)), hi)), minutes)
            }
        case .sessions(_, let lengths):
            let target = k.grantedMinutes * Int64(k.beyondGrant ? r.int(115...140) : r.int(60...100)) / 100
            var date = k.validFrom.advanced(by: r.int(0...6))
            var total: Int64 = 0
            while true {
                while !date.isWeekday { date = date.advanced(by: 1) }
                guard date <= end else { break }
                let m = r.pick(lengths)
                if k.beyondGrant ? total >= target : total + m > target { break }
                add(date, m)
                total += m
                date = date.advanced(by: r.pick([7, 7, 14]))
            }
        }
    }

    func emitKontrakt(_ k: KontraktModel) {
        var r = rng("emit/\(k.id)")
        let tr = ledger(of: k.pair.traeger)
        let signedData = JSONObject([
            ("kontrakt", .string(k.id)), ("fall", .string(k.fall)), ("sozialraum", .string(k.pair.sozialraum.rawValue)),
            ("traeger", .string(k.pair.traeger)), ("hilfeart", .string(k.profile.hilfeart.rawValue)),
            ("funding", .string(k.funding.rawValue)), ("grantedMinutes", .int(k.signedGrant)),
            ("validFrom", .string(k.validFrom.description)), ("validTo", .string(k.signedValidTo.description)),
            ("signedBy", .string(k.signedBy)),
        ])
        emit(0, at: k.jaSignedAt, .kontraktSigned, key: k.id, actor: k.signedBy, signedData)
        emit(tr, at: k.trSignedAt, .kontraktSigned, key: k.id, actor: office(k.pair.traeger), signedData)
        if let (effective, data) = k.amendment {
            let ja = r.weekday(effective.advanced(by: -10), effective.advanced(by: -3)).at(r.int(8...15), r.int(0...59))
            emitShared(k.pair.traeger, ja: ja, tr: officeTimeAfter(ja, &r), .kontraktAmended,
                       key: "\(k.id)-a1", jaActor: data["signedBy"]!.string!, trActor: office(k.pair.traeger), data)
        }
        if let ended = k.endedOn {
            let reason = r.weighted([(EndReason.planmaessig, 40), (.abbruch, 30), (.wechsel, 20), (.sonstiges, 10)])
            emitShared(k.pair.traeger, ja: ended.advanced(by: r.int(1...7)).at(r.int(8...15), r.int(0...59)),
                       tr: ended.advanced(by: r.int(1...5)).at(r.int(9...17), r.int(0...59)), .kontraktEnded, key: "\(k.id)-end",
                       jaActor: k.signedBy, trActor: office(k.pair.traeger),
                       obj(["kontrakt": .string(k.id), "endedOn": .string(ended.description), "reason": .string(reason.rawValue)]))
        }
        var extra: [BookingModel] = []
        for i in k.bookings.indices {
            let b = k.bookings[i]
            emitBooking(k, b)
            guard !k.beyondGrant else { continue }
            if r.chance(permille: 5), b.minutes >= 30 {
                // A correction: the booking is reversed and booked again with fewer minutes.
                k.bookings[i].reversed = true
                k.touched = true
                let at = b.trAt.seconds + Int64(r.int(1...6)) * 86_400
                let trAt = Timestamp(seconds: at), jaAt = Timestamp(seconds: max(b.jaAt.seconds, trAt.date.monday.advanced(by: 8).at(7, 30).seconds))
                emitReversal(k.pair.traeger, b.id, "korrektur", ja: jaAt, tr: trAt)
                let fixed = BookingModel(id: b.id + "k", date: b.date, minutes: max(b.minutes - Int64(r.int(1...3)) * 15, 15), staff: b.staff,
                                         jaAt: Timestamp(seconds: jaAt.seconds + 1), trAt: Timestamp(seconds: trAt.seconds + 60), special: true)
                emitBooking(k, fixed)
                extra.append(fixed)
            } else if r.chance(permille: 3) {
                // Booked twice by mistake, and the duplicate reversed a few days later.
                k.touched = true
                let dup = BookingModel(id: b.id + "d", date: b.date, minutes: b.minutes, staff: b.staff,
                                       jaAt: Timestamp(seconds: b.jaAt.seconds + 1), trAt: Timestamp(seconds: b.trAt.seconds + 60),
                                       reversed: true, special: true)
                emitBooking(k, dup)
                let trAt = Timestamp(seconds: dup.trAt.seconds + Int64(r.int(1...5)) * 86_400)
                let jaAt = Timestamp(seconds: max(dup.jaAt.seconds + 1, trAt.date.monday.advanced(by: 8).at(7, 30).seconds))
                emitReversal(k.pair.traeger, dup.id, "doppelt-erfasst", ja: jaAt, tr: trAt)
                extra.append(dup)
            }
        }
        k.bookings += extra
        k.bookings.sort { ($0.date, $0.id) < ($1.date, $1.id) }
    }

    func emitBooking(_ k: KontraktModel, _ b: BookingModel) {
        var data = JSONObject([("booking", .string(b.id)), ("kontrakt", .string(k.id)), ("date", .string(b.date.description)),
                               ("minutes", .int(b.minutes))])
        if let s = b.staff { data["staff"] = .string(s) }
        emitShared(k.pair.traeger, ja: b.jaAt, tr: b.trAt, .hoursBooked, key: b.id, jaActor: Self.controlling,
                   trActor: b.staff ?? office(k.pair.traeger), data)
    }

    func emitReversal(_ traeger: String, _ booking: String, _ reason: String, ja: Timestamp, tr: Timestamp) {
        emitShared(traeger, ja: ja, tr: tr, .bookingReversed, key: "r-\(booking)", jaActor: Self.controlling,
                   trActor: office(traeger), obj(["booking": .string(booking), "reason": .string(reason)]))
    }
}
