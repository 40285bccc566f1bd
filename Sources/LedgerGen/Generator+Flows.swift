import LedgerCore

/// Prevention, payments, reallocations, quarter ends, and what reality booked beyond a grant.
extension Generator {
    // MARK: - Prevention (§ 3.3: at least 10 % of the Sozialraumfinanzvolumen)

    func makePrevention(_ year: Int) {
        for sz in Sozialraum.allCases {
            var r = rng("prevention/\(sz.rawValue)/\(year)")
            // Near 10 %, some Sozialräume a little under, most a little over.
            let sharePermille = Int64(r.int(88...120))
            let volume = Money.share(budgets[sz]!, 85, 100)
            for pair in traegerPairs(sz) {
                let fls = agreement(pair, on: CalendarDate(year: year, month: 7, day: 1)!).flsCentsPerHour
                let cents = volume * sharePermille / 1000 * planstellen[pair]! / posts[sz]!
                let weeks = Self.weekMondays(.jan1(year), min(.dec31(year), horizon)).filter { m in
                    let (_, month, day) = m.components
                    return !((month == 12 && day >= 22) || (month == 1 && day <= 4))
                }
                let weekly = cents * 60 / fls / Int64(max(weeks.count - 2, 1))
                for (w, monday) in weeks.enumerated() where !r.chance(permille: 40) {
                    let total = weekly * Int64(r.int(80...120)) / 100
                    let prevention = total * Int64(r.int(55...80)) / 100 / 15 * 15
                    let network = (total - prevention) / 15 * 15
                    for (n, (category, minutes)) in [(PreventionCategory.praevention, prevention), (.netzwerk, network)].enumerated() where minutes >= 15 {
                        let date = r.weekday(max(monday, .jan1(year)), min(monday.advanced(by: 4), horizon))
                        let id = "p-\(pair.traeger)-\(sz.rawValue)-\(year)-\(pad(w + 1, 2))-\(n + 1)"
                        emitShared(pair.traeger, ja: date.monday.advanced(by: 8).at(7, r.int(0...119)),
                                   tr: date.at(r.int(15...18), r.int(0...59)), .preventionBooked, key: id,
                                   jaActor: Self.controlling, trActor: office(pair.traeger), obj([
                                       "booking": .string(id), "traeger": .string(pair.traeger), "sozialraum": .string(sz.rawValue),
                                       "date": .string(date.description), "minutes": .int(minutes), "category": .string(category.rawValue),
                                   ]))
                    }
                }
            }
        }
    }

    // MARK: - Payments (variabel and ASD pots)

    func makePayments(_ year: Int) {
        for sz in Sozialraum.allCases {
            var r = rng("payments/\(sz.rawValue)/\(year)")
            var list: [(CalendarDate, Funding)] = []
            for _ in 0..<(r.int(12...20) * o.scale) { list.append((r.weekday(.jan1(year), .dec31(year)), .variabel)) }
            for _ in 0..<(r.int(12...22) * o.scale) { list.append((r.weekday(.jan1(year), .dec31(year)), .asd)) }
            list.sort { ($0.0, $0.1) < ($1.0, $1.1) }
            for (n, (date, funding)) in list.enumerated() {
                let pair = pickPair(sz, &r)
                let euros = funding == .variabel ? r.int(300...5000) : r.int(500...9000)
                let amount = Int64(euros) * 100 + Int64(r.chance(permille: 300) ? r.int(1...99) : 0)
                let payee = r.chance(permille: 400) ? pair.traeger : r.pick(Landkreis.otherProviders)
                let id = "z-\(sz.rawValue)-\(year)-\(pad(n + 1, 4))"
                var data = JSONObject([("payment", .string(id)), ("traeger", .string(pair.traeger)), ("sozialraum", .string(sz.rawValue)),
                                       ("payee", .string(payee)), ("funding", .string(funding.rawValue)), ("amountCents", .int(amount)),
                                       ("date", .string(date.description))])
                if r.chance(permille: 300),
                   let k = kontrakteByPair[pair]?.filter({ $0.validFrom <= date && date <= $0.lastDay }).first {
                    data["kontrakt"] = .string(k.id)
                }
                let ja = date.advanced(by: r.int(1...5)).at(10, r.int(0...59))
                let tr = date.advanced(by: r.int(2...8)).at(14, r.int(0...59))
                emitShared(pair.traeger, ja: ja, tr: tr, .paymentBooked, key: id, jaActor: "wjh-01", trActor: office(pair.traeger), data)
                var model = PaymentModel(id: id, pair: pair, date: date, amountCents: amount, reversed: false)
                if r.chance(permille: 20) {
                    model.reversed = true
                    emitReversal(pair.traeger, id, "storno", ja: Timestamp(seconds: ja.seconds + Int64(r.int(3...20)) * 86_400),
                                 tr: Timestamp(seconds: tr.seconds + Int64(r.int(3...20)) * 86_400))
                }
                payments.append(model)
            }
        }
    }

    // MARK: - Moving free funds into prevention (§ 4)

    func makeReallocations(_ year: Int) {
        // Every year at least one Sozialraum moves free funds; the others now and then.
        var pick = rng("reallocation/\(year)")
        let surely = pick.pick(Sozialraum.allCases)
        for sz in Sozialraum.allCases {
            var r = rng("reallocation/\(sz.rawValue)/\(year)")
            guard r.chance(permille: 300) || sz == surely else { continue }
            let hi = min(CalendarDate(year: year, month: 10, day: 31)!, horizon)
            let date = r.weekday(CalendarDate(year: year, month: 8, day: 15)!, hi)
            let from = r.weighted([(ReallocationSource.variabel, 70), (.personalisiert, 30)])
            emit(0, at: date.at(11, r.int(0...59)), .fundsReallocated, key: "umw-\(sz.rawValue)-\(year)", actor: Self.controlling, obj([
                "sozialraum": .string(sz.rawValue), "year": .int(Int64(year)), "from": .string(from.rawValue),
                "amountCents": .int(Int64(r.int(10...40)) * 100_000), "decidedBy": .string(Landkreis.steering),
            ]))
        }
    }

    // MARK: - Quarter ends

    func makeQuarterCloses(_ year: Int) {
        var r = rng("quarters/\(year)")
        for q in 1...4 {
            let end = CalendarDate.quarterEnd(year: year, quarter: q)
            let key = "qc-\(year)-\(q)"
            let data = obj(["year": .int(Int64(year)), "quarter": .int(Int64(q))])
            emit(0, at: end.advanced(by: r.int(10...14)).at(12, r.int(0...59)), .quarterClosed, key: key, actor: Self.controlling, data)
            for t in Landkreis.traeger {
                emit(ledger(of: t), at: end.advanced(by: r.int(9...12)).at(14, r.int(0...59)), .quarterClosed, key: key, actor: office(t), data)
            }
        }
    }

    // MARK: - Over-grant (reality)

    func findBeyondGrant() {
        for k in kontrakte {
            guard let first = firstDayBeyondGrant(k) else { continue }
            planted.append(PlantedDiscrepancy(kind: .overGrant, traeger: k.pair.traeger, ids: [k.id], year: first.year,
                                              quarter: first.quarter, cause: "Kontrakt \(k.id) was booked beyond its grant (as a few are in reality)"))
        }
    }

    /// The date on which the hours booked first exceed the grant, or `nil`.
    func firstDayBeyondGrant(_ k: KontraktModel) -> CalendarDate? {
        var total: Int64 = 0
        for b in k.bookings where !b.reversed {
            total += b.minutes
            if total > k.grantedMinutes { return b.date }
        }
        return nil
    }
}
