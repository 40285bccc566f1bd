/// The Doppelcontrolling: compares the Jugendamt's records of a Träger (stream `traeger:<T>` on
/// the Jugendamt's ledger) with the Träger's records of that Jugendamt (stream `jugendamt:<J>` on
/// the Träger's ledger) for one quarter, as known at an optional as-of time.
///
/// Scope: Kontrakte whose period (as of the quarter's last day) overlaps the quarter on either
/// side; bookings, prevention bookings and payments dated in the quarter on either side.
/// Reversed bookings and payments count as absent. `ReconciliationRecorded` records are ignored,
/// so recording a reconciliation never causes a finding.
///
/// Memory does not grow with the bookings of other quarters: each side is read in passes and
/// only compact entries are kept (see ``SideData``): pass 1 notes reversed ids (reading only
/// reversals), pass 2 keeps the Kontrakte and the quarter's bookings and payments and replays
/// the quarter's money for the totals (each record decoded once for both), and a third pass over
/// a side runs only when the other side dates in the quarter a booking or payment this side
/// does not (to tell a differing date from a missing record). Records are handed over as
/// ``RecordView``s: filtered by stream, time and type in place, decoded only when needed. The two
/// sides are read at the same time, on two threads.
public enum Reconciler {
    /// Reconciles the two sides. The sources must already be verified (chains intact).
    public static func reconcile(jugendamt: LedgerName, _ jugendamtRecords: any RecordSource,
                                 traeger: LedgerName, _ traegerRecords: any RecordSource,
                                 period: ReconciliationPeriod) throws -> Reconciliation {
        guard jugendamt.side == .jugendamt else {
            throw ReconcileError("the Jugendamt's source holds \(jugendamt), a Träger's ledger")
        }
        guard traeger.side == .traeger else {
            throw ReconcileError("the Träger's source holds \(traeger), a Jugendamt's ledger")
        }
        let jReader = SideReader(side: .jugendamt, stream: "traeger:\(traeger.org)", period: period)
        let tReader = SideReader(side: .traeger, stream: "jugendamt:\(jugendamt.org)", period: period)
        let jTotals = ReconciliationTotals.Replay(period: period), tTotals = ReconciliationTotals.Replay(period: period)

        // The two sides are read at the same time, one thread each; nothing is shared but the result.
        let (jReversed, tReversed) = try inParallel({ try jReader.reversals(jugendamtRecords) },
                                                    { try tReader.reversals(traegerRecords) })
        var (j, t) = try inParallel({ try jReader.collect(jugendamtRecords, reversed: jReversed, totals: jTotals) },
                                    { try tReader.collect(traegerRecords, reversed: tReversed, totals: tTotals) })
        // Bookings and payments one side dates in the quarter and the other holds with another
        // date: fetched from the other side, to tell a differing date from a missing record.
        let fromJ = (t.bookingIds(in: period).filter { j.bookings[$0] == nil }, t.paymentIds(in: period).filter { j.payments[$0] == nil })
        let fromT = (j.bookingIds(in: period).filter { t.bookings[$0] == nil }, j.paymentIds(in: period).filter { t.payments[$0] == nil })
        (j, t) = try inParallel({ [j] in
            var j = j
            if !fromJ.0.isEmpty || !fromJ.1.isEmpty {
                try jReader.fetch(jugendamtRecords, reversed: jReversed, bookings: fromJ.0, payments: fromJ.1, into: &j)
            }
            return j
        }, { [t] in
            var t = t
            if !fromT.0.isEmpty || !fromT.1.isEmpty {
                try tReader.fetch(traegerRecords, reversed: tReversed, bookings: fromT.0, payments: fromT.1, into: &t)
            }
            return t
        })

        return Reconciliation(
            period: period,
            jugendamt: SideSummary(ledger: jugendamt.description, stream: jReader.stream, head: j.head, records: j.records),
            traeger: SideSummary(ledger: traeger.description, stream: tReader.stream, head: t.head, records: t.records),
            findings: compare(j, t, traeger: traeger.org, period: period),
            totals: ReconciliationTotals.rows(try jTotals.consumption(), try tTotals.consumption(), period: period))
    }

    /// The findings, in report order.
    static func compare(_ j: SideData, _ t: SideData, traeger: String, period: ReconciliationPeriod) -> [Finding] {
        var findings: [Finding] = []

        // Kontrakte running in the quarter on either side.
        var scope = Set<String>()
        for (id, k) in j.kontrakte where k.overlaps(period) { scope.insert(id) }
        for (id, k) in t.kontrakte where k.overlaps(period) { scope.insert(id) }
        for id in scope {
            let jk = j.kontrakte[id], tk = t.kontrakte[id]
            switch (jk, tk) {
            case (let a?, nil):
                findings.append(Finding(kind: .kontraktMissingAtTraeger, traeger: traeger, kontrakt: id, jugendamt: a.json, traeger: .null))
            case (nil, let b?):
                findings.append(Finding(kind: .kontraktMissingAtJugendamt, traeger: traeger, kontrakt: id, jugendamt: .null, traeger: b.json))
            case (let a?, let b?):
                for field in ComparedField.kontrakt {
                    // A differing end date says it all when only one side ended the Kontrakt.
                    if field == "reason", a.endedOn == nil || b.endedOn == nil { continue }
                    let va = a.value(field), vb = b.value(field)
                    if va != vb {
                        findings.append(Finding(kind: .kontraktMismatch, traeger: traeger, kontrakt: id, field: field, jugendamt: va, traeger: vb))
                    }
                }
            case (nil, nil):
                break
            }
            let jOver = jk.map { $0.bookedMinutes > $0.grantedMinutes } ?? false
            let tOver = tk.map { $0.bookedMinutes > $0.grantedMinutes } ?? false
            if jOver || tOver {
                func consumption(_ k: KontraktEntry?) -> JSON {
                    k.map { ["bookedMinutes": .int($0.bookedMinutes), "grantedMinutes": .int($0.grantedMinutes)] } ?? .null
                }
                findings.append(Finding(kind: .overGrant, traeger: traeger, kontrakt: id,
                                        side: jOver && tOver ? .both : jOver ? .jugendamt : .traeger,
                                        jugendamt: consumption(jk), traeger: consumption(tk)))
            }
        }

        // Hours per Kontrakt in the quarter.
        func hoursInQuarter(_ data: SideData) -> [String: Int64] {
            var sums: [String: Int64] = [:]
            for b in data.bookings.values where b.kind == .hours && period.contains(b.date) {
                if let k = b.kontrakt { sums[k, default: 0] += b.minutes }
            }
            return sums
        }
        let jHours = hoursInQuarter(j), tHours = hoursInQuarter(t)
        for id in scope.union(jHours.keys).union(tHours.keys) {
            let a = jHours[id] ?? 0, b = tHours[id] ?? 0
            if a != b {
                findings.append(Finding(kind: .hoursMismatch, traeger: traeger, kontrakt: id, jugendamt: .int(a), traeger: .int(b)))
            }
        }

        // Bookings and prevention bookings dated in the quarter on either side.
        for id in j.bookingIds(in: period).union(t.bookingIds(in: period)) {
            switch (j.bookings[id], t.bookings[id]) {
            case (let a?, nil):
                findings.append(Finding(kind: .bookingMissingAtTraeger, traeger: traeger, kontrakt: a.kontrakt, booking: id,
                                        jugendamt: a.json, traeger: .null))
            case (nil, let b?):
                findings.append(Finding(kind: .bookingMissingAtJugendamt, traeger: traeger, kontrakt: b.kontrakt, booking: id,
                                        jugendamt: .null, traeger: b.json))
            case (let a?, let b?):
                for field in ComparedField.booking {
                    // The Jugendamt need not know the Träger's staff: compare only when both name one.
                    if field == "staff", a.staff == nil || b.staff == nil { continue }
                    let va = a.value(field), vb = b.value(field)
                    if va != vb {
                        findings.append(Finding(kind: .bookingMismatch, traeger: traeger, kontrakt: a.kontrakt ?? b.kontrakt, booking: id,
                                                field: field, jugendamt: va, traeger: vb))
                    }
                }
            case (nil, nil):
                break
            }
        }

        // Payments dated in the quarter on either side.
        for id in j.paymentIds(in: period).union(t.paymentIds(in: period)) {
            switch (j.payments[id], t.payments[id]) {
            case (let a?, nil):
                findings.append(Finding(kind: .paymentMissingAtTraeger, traeger: traeger, kontrakt: a.kontrakt, payment: id,
                                        jugendamt: a.json, traeger: .null))
            case (nil, let b?):
                findings.append(Finding(kind: .paymentMissingAtJugendamt, traeger: traeger, kontrakt: b.kontrakt, payment: id,
                                        jugendamt: .null, traeger: b.json))
            case (let a?, let b?):
                for field in ComparedField.payment {
                    let va = a.value(field), vb = b.value(field)
                    if va != vb {
                        findings.append(Finding(kind: .paymentMismatch, traeger: traeger, kontrakt: a.kontrakt ?? b.kontrakt, payment: id,
                                                field: field, jugendamt: va, traeger: vb))
                    }
                }
            case (nil, nil):
                break
            }
        }

        findings.sort(by: Finding.precedes)
        return findings
    }
}

/// ``concurrently(_:_:)`` for work that throws: the first error of `a`, then of `b`, is thrown
/// after both have finished.
func inParallel<A, B>(_ a: () throws -> A, _ b: () throws -> B) throws -> (A, B) {
    let (ra, rb) = concurrently({ Result { try a() } }, { Result { try b() } })
    return (try ra.get(), try rb.get())
}
