import Testing
@testable import LedgerCore

/// The Doppelcontrolling: one scenario per finding kind with the exact findings expected.
@Suite struct ReconcilerTests {
    let kontraktK1: JSON = ["fall": "f-k-1", "sozialraum": "konz", "hilfeart": "31", "funding": "personalisiert",
                            "grantedMinutes": 6000, "validFrom": "2025-04-01", "validTo": "2025-12-31", "signedBy": "asd-07"]

    @Test func aQuarterWhereBothSidesAgreeHasNoFindings() throws {
        let s = ReconcileScenario()
        try s.kontrakt("k-1")
        try s.kontrakt("k-2", from: "2025-01-01", to: "2025-04-30")
        try s.hours("b-1", "k-1", "2025-04-07", 90, staff: "st-1")
        try s.hours("b-2", "k-1", "2025-05-12", 120)
        try s.hours("b-3", "k-2", "2025-04-02", 60)
        try s.prevention("p-1", "2025-06-03", 180, category: "netzwerk")
        try s.payment("z-1", "2025-06-30", 123_456, kontrakt: "k-1")
        try s.hours("b-4", "k-1", "2025-05-13", 30)
        try s.reverse("b-4")
        let r = try s.reconcile()
        #expect(r.findings == [])
        #expect(r.reconciles)
        #expect(r.counts.allSatisfy { $0.count == 0 })
        #expect(r.jugendamt.head.hash == s.jugendamt.records.last!.hash)
        #expect(r.traeger.head.hash == s.traeger.records.last!.hash)
        #expect(r.jugendamt.stream == "traeger:caritas")
        #expect(r.traeger.stream == "jugendamt:trier-saarburg")
    }

    @Test func aKontraktOnlyTheJugendamtRecordedIsMissingAtTheTraeger() throws {
        let s = ReconcileScenario()
        try s.kontrakt("k-1", on: .jugendamt)
        let r = try s.reconcile()
        #expect(r.findings == [Finding(kind: .kontraktMissingAtTraeger, traeger: "caritas", kontrakt: "k-1", jugendamt: kontraktK1, traeger: .null)])
    }

    @Test func aKontraktOnlyTheTraegerRecordedIsMissingAtTheJugendamt() throws {
        let s = ReconcileScenario()
        try s.kontrakt("k-1", on: .traeger)
        let r = try s.reconcile()
        #expect(r.findings == [Finding(kind: .kontraktMissingAtJugendamt, traeger: "caritas", kontrakt: "k-1", jugendamt: .null, traeger: kontraktK1)])
    }

    @Test func eachDifferingKontraktFieldIsItsOwnFinding() throws {
        let s = ReconcileScenario()
        try s.jugendamt.append("KontraktSigned", ReconcileScenario.kontraktData("k-1"))
        try s.traeger.append("KontraktSigned", ReconcileScenario.kontraktData(
            "k-1", fall: "f-9", sozialraum: "saarburg", hilfeart: "30", funding: "variabel", granted: 4800,
            from: "2025-04-02", to: "2025-11-30", signedBy: "asd-09"))
        let r = try s.reconcile()
        func mismatch(_ field: String, _ j: JSON, _ t: JSON) -> Finding {
            Finding(kind: .kontraktMismatch, traeger: "caritas", kontrakt: "k-1", field: field, jugendamt: j, traeger: t)
        }
        #expect(r.findings == [
            mismatch("fall", "f-k-1", "f-9"), mismatch("sozialraum", "konz", "saarburg"), mismatch("hilfeart", "31", "30"),
            mismatch("funding", "personalisiert", "variabel"), mismatch("grantedMinutes", 6000, 4800),
            mismatch("validFrom", "2025-04-01", "2025-04-02"), mismatch("validTo", "2025-12-31", "2025-11-30"),
            mismatch("signedBy", "asd-07", "asd-09"),
        ])
    }

    @Test func kontrakteAreComparedAsTheyStandAtTheQuartersEnd() throws {
        let s = ReconcileScenario()
        try s.kontrakt("k-1")
        try s.kontrakt("k-2")
        try s.kontrakt("k-3")
        // Amended in the quarter on the Jugendamt's side only: a mismatch.
        try s.jugendamt.append("KontraktAmended", ["kontrakt": "k-1", "effectiveFrom": "2025-06-01", "signedBy": "asd-07", "grantedMinutes": 9000])
        // Amended for the next quarter on one side: not yet part of Q2.
        try s.traeger.append("KontraktAmended", ["kontrakt": "k-1", "effectiveFrom": "2025-07-01", "signedBy": "asd-07", "hilfeart": "30"])
        // Amended alike on both sides: no finding.
        try s.record(.both, "KontraktAmended", ["kontrakt": "k-2", "effectiveFrom": "2025-05-01", "signedBy": "asd-07", "validTo": "2026-03-31"])
        // Ended on one side only: the end date differs (the reason is not repeated).
        try s.traeger.append("KontraktEnded", ["kontrakt": "k-2", "endedOn": "2025-06-15", "reason": "abbruch"])
        // Ended on both sides on the same day for different reasons.
        try s.jugendamt.append("KontraktEnded", ["kontrakt": "k-3", "endedOn": "2025-05-31", "reason": "planmaessig"])
        try s.traeger.append("KontraktEnded", ["kontrakt": "k-3", "endedOn": "2025-05-31", "reason": "wechsel"])
        let r = try s.reconcile()
        #expect(r.findings == [
            Finding(kind: .kontraktMismatch, traeger: "caritas", kontrakt: "k-1", field: "grantedMinutes", jugendamt: 9000, traeger: 6000),
            Finding(kind: .kontraktMismatch, traeger: "caritas", kontrakt: "k-2", field: "endedOn", jugendamt: .null, traeger: "2025-06-15"),
            Finding(kind: .kontraktMismatch, traeger: "caritas", kontrakt: "k-3", field: "reason", jugendamt: "planmaessig", traeger: "wechsel"),
        ])
        // In Q3 the Träger's amendment counts too; k-3 ended before Q3 and is out of scope.
        let q3 = try s.reconcile(quarter: 3)
        #expect(q3.findings.map { "\($0.kontrakt!) \($0.field ?? "")" } == ["k-1 hilfeart", "k-1 grantedMinutes", "k-2 endedOn"])
    }

    @Test func kontrakteOutsideTheQuarterAreNotCompared() throws {
        let s = ReconcileScenario()
        try s.kontrakt("k-old", on: .jugendamt, from: "2024-01-01", to: "2025-03-31")
        try s.kontrakt("k-new", on: .traeger, from: "2025-07-01", to: "2025-12-31")
        try s.kontrakt("k-1")
        try s.hours("b-q1", "k-old", "2025-03-10", 60, on: .jugendamt)
        try s.hours("b-q3", "k-1", "2025-07-10", 60, on: .traeger)
        #expect(try s.reconcile().findings == [])
        // But a Kontrakt running in the quarter on one side and not on the other is a mismatch, not missing.
        let t = ReconcileScenario()
        try t.jugendamt.append("KontraktSigned", ReconcileScenario.kontraktData("k-1", from: "2025-01-01", to: "2025-03-31"))
        try t.traeger.append("KontraktSigned", ReconcileScenario.kontraktData("k-1", from: "2025-01-01", to: "2025-06-30"))
        #expect(try t.reconcile().findings == [
            Finding(kind: .kontraktMismatch, traeger: "caritas", kontrakt: "k-1", field: "validTo", jugendamt: "2025-03-31", traeger: "2025-06-30"),
        ])
    }

    @Test func bookingsOnOneSideOnlyAreMissingOnTheOther() throws {
        let s = ReconcileScenario()
        try s.kontrakt("k-1")
        try s.hours("b-1", "k-1", "2025-04-07", 90, on: .jugendamt)
        try s.hours("b-2", "k-1", "2025-04-08", 60, on: .traeger, staff: "st-1")
        try s.prevention("p-1", "2025-05-05", 120, on: .traeger)
        let r = try s.reconcile()
        #expect(r.findings == [
            Finding(kind: .bookingMissingAtTraeger, traeger: "caritas", kontrakt: "k-1", booking: "b-1",
                    jugendamt: ["type": "HoursBooked", "kontrakt": "k-1", "date": "2025-04-07", "minutes": 90], traeger: .null),
            Finding(kind: .bookingMissingAtJugendamt, traeger: "caritas", kontrakt: "k-1", booking: "b-2",
                    jugendamt: .null, traeger: ["type": "HoursBooked", "kontrakt": "k-1", "date": "2025-04-08", "minutes": 60, "staff": "st-1"]),
            Finding(kind: .bookingMissingAtJugendamt, traeger: "caritas", booking: "p-1", jugendamt: .null,
                    traeger: ["type": "PreventionBooked", "sozialraum": "konz", "category": "praevention", "date": "2025-05-05", "minutes": 120]),
            Finding(kind: .hoursMismatch, traeger: "caritas", kontrakt: "k-1", jugendamt: 90, traeger: 60),
        ])
    }

    @Test func aBookingReversedOnOneSideCountsAsAbsentThere() throws {
        let s = ReconcileScenario()
        try s.kontrakt("k-1")
        try s.hours("b-1", "k-1", "2025-04-07", 90)
        try s.reverse("b-1", on: .traeger)
        #expect(try s.reconcile().findings == [
            Finding(kind: .bookingMissingAtTraeger, traeger: "caritas", kontrakt: "k-1", booking: "b-1",
                    jugendamt: ["type": "HoursBooked", "kontrakt": "k-1", "date": "2025-04-07", "minutes": 90], traeger: .null),
            Finding(kind: .hoursMismatch, traeger: "caritas", kontrakt: "k-1", jugendamt: 90, traeger: 0),
        ])
        try s.reverse("b-1", on: .jugendamt)
        #expect(try s.reconcile().findings == [])
    }

    @Test func eachDifferingBookingFieldIsItsOwnFinding() throws {
        let s = ReconcileScenario()
        try s.kontrakt("k-1")
        try s.hours("b-1", "k-1", "2025-04-07", 90, on: .jugendamt, staff: "st-1")
        try s.hours("b-1", "k-1", "2025-04-09", 120, on: .traeger, staff: "st-2")
        // Staff named by the Träger only: not compared.
        try s.hours("b-2", "k-1", "2025-04-10", 60, on: .jugendamt)
        try s.hours("b-2", "k-1", "2025-04-10", 60, on: .traeger, staff: "st-2")
        try s.prevention("p-1", "2025-05-05", 120, category: "praevention", on: .jugendamt)
        try s.prevention("p-1", "2025-05-05", 120, category: "netzwerk", on: .traeger)
        let r = try s.reconcile()
        #expect(r.findings == [
            Finding(kind: .bookingMismatch, traeger: "caritas", kontrakt: "k-1", booking: "b-1", field: "date", jugendamt: "2025-04-07", traeger: "2025-04-09"),
            Finding(kind: .bookingMismatch, traeger: "caritas", kontrakt: "k-1", booking: "b-1", field: "minutes", jugendamt: 90, traeger: 120),
            Finding(kind: .bookingMismatch, traeger: "caritas", kontrakt: "k-1", booking: "b-1", field: "staff", jugendamt: "st-1", traeger: "st-2"),
            Finding(kind: .bookingMismatch, traeger: "caritas", booking: "p-1", field: "category", jugendamt: "praevention", traeger: "netzwerk"),
            Finding(kind: .hoursMismatch, traeger: "caritas", kontrakt: "k-1", jugendamt: 150, traeger: 180),
        ])
    }

    @Test func aBookingDatedInDifferentQuartersIsADateMismatchInBoth() throws {
        let s = ReconcileScenario()
        try s.kontrakt("k-1")
        try s.hours("b-1", "k-1", "2025-06-30", 90, on: .jugendamt)
        try s.hours("b-1", "k-1", "2025-07-01", 90, on: .traeger)
        let dateMismatch = Finding(kind: .bookingMismatch, traeger: "caritas", kontrakt: "k-1", booking: "b-1", field: "date",
                                   jugendamt: "2025-06-30", traeger: "2025-07-01")
        #expect(try s.reconcile(quarter: 2).findings == [
            dateMismatch, Finding(kind: .hoursMismatch, traeger: "caritas", kontrakt: "k-1", jugendamt: 90, traeger: 0),
        ])
        #expect(try s.reconcile(quarter: 3).findings == [
            dateMismatch, Finding(kind: .hoursMismatch, traeger: "caritas", kontrakt: "k-1", jugendamt: 0, traeger: 90),
        ])
    }

    @Test func paymentsOnOneSideOnlyOrDifferingAreFound() throws {
        let s = ReconcileScenario()
        try s.kontrakt("k-1")
        try s.payment("z-1", "2025-04-15", 50_000, on: .jugendamt)
        try s.payment("z-2", "2025-04-16", 70_000, kontrakt: "k-1", on: .traeger)
        try s.payment("z-3", "2025-04-17", 10_000, on: .jugendamt)
        try s.payment("z-3", "2025-04-17", 10_050, kontrakt: "k-1", on: .traeger)
        try s.payment("z-4", "2025-04-18", 20_000)
        try s.reverse("z-4", on: .jugendamt)
        let r = try s.reconcile()
        let z4: JSON = ["sozialraum": "konz", "payee": "caritas", "funding": "variabel", "amountCents": 20_000, "date": "2025-04-18"]
        #expect(r.findings == [
            Finding(kind: .paymentMissingAtTraeger, traeger: "caritas", payment: "z-1",
                    jugendamt: ["sozialraum": "konz", "payee": "caritas", "funding": "variabel", "amountCents": 50_000, "date": "2025-04-15"],
                    traeger: .null),
            Finding(kind: .paymentMissingAtJugendamt, traeger: "caritas", kontrakt: "k-1", payment: "z-2", jugendamt: .null,
                    traeger: ["sozialraum": "konz", "payee": "caritas", "funding": "variabel", "amountCents": 70_000, "date": "2025-04-16", "kontrakt": "k-1"]),
            Finding(kind: .paymentMissingAtJugendamt, traeger: "caritas", payment: "z-4", jugendamt: .null, traeger: z4),
            Finding(kind: .paymentMismatch, traeger: "caritas", kontrakt: "k-1", payment: "z-3", field: "amountCents", jugendamt: 10_000, traeger: 10_050),
            Finding(kind: .paymentMismatch, traeger: "caritas", kontrakt: "k-1", payment: "z-3", field: "kontrakt", jugendamt: .null, traeger: "k-1"),
        ])
    }

    @Test func consumptionAboveTheGrantIsFlaggedWithTheSideThatShowsIt() throws {
        let s = ReconcileScenario()
        try s.kontrakt("k-1", granted: 600, from: "2025-01-01")
        try s.kontrakt("k-2", granted: 600)
        try s.kontrakt("k-3", granted: 600)
        // k-1: 400 minutes in Q1 and 300 in Q2 on both sides: over the grant by the end of Q2.
        try s.hours("b-1", "k-1", "2025-03-10", 400)
        try s.hours("b-2", "k-1", "2025-04-10", 300)
        // k-2: only the Träger's records go beyond the grant (an extra booking the Jugendamt lacks).
        try s.hours("b-3", "k-2", "2025-04-10", 600)
        try s.hours("b-4", "k-2", "2025-04-11", 30, on: .traeger)
        // k-3: beyond the grant, but one booking is reversed on both sides: within it again.
        try s.hours("b-5", "k-3", "2025-04-10", 500)
        try s.hours("b-6", "k-3", "2025-04-11", 200)
        try s.reverse("b-6")
        let r = try s.reconcile()
        #expect(r.findings == [
            Finding(kind: .bookingMissingAtJugendamt, traeger: "caritas", kontrakt: "k-2", booking: "b-4", jugendamt: .null,
                    traeger: ["type": "HoursBooked", "kontrakt": "k-2", "date": "2025-04-11", "minutes": 30]),
            Finding(kind: .hoursMismatch, traeger: "caritas", kontrakt: "k-2", jugendamt: 600, traeger: 630),
            Finding(kind: .overGrant, traeger: "caritas", kontrakt: "k-1", side: .both,
                    jugendamt: ["bookedMinutes": 700, "grantedMinutes": 600], traeger: ["bookedMinutes": 700, "grantedMinutes": 600]),
            Finding(kind: .overGrant, traeger: "caritas", kontrakt: "k-2", side: .traeger,
                    jugendamt: ["bookedMinutes": 600, "grantedMinutes": 600], traeger: ["bookedMinutes": 630, "grantedMinutes": 600]),
        ])
        // At the end of Q1 k-1 was within its grant.
        #expect(try s.reconcile(quarter: 1).findings == [])
    }

    @Test func asOfAnEarlierTimeALateBookingIsMissingAndAfterwardsNot() throws {
        let s = ReconcileScenario()
        try s.kontrakt("k-1")
        try s.hours("b-1", "k-1", "2025-05-10", 90, on: .jugendamt, at: ts("2025-05-12T10:00:00Z"))
        try s.hours("b-1", "k-1", "2025-05-10", 90, on: .traeger, at: ts("2025-07-20T09:00:00Z"))
        let early = try s.reconcile(asOf: ts("2025-07-15T00:00:00Z"))
        #expect(early.findings == [
            Finding(kind: .bookingMissingAtTraeger, traeger: "caritas", kontrakt: "k-1", booking: "b-1",
                    jugendamt: ["type": "HoursBooked", "kontrakt": "k-1", "date": "2025-05-10", "minutes": 90], traeger: .null),
            Finding(kind: .hoursMismatch, traeger: "caritas", kontrakt: "k-1", jugendamt: 90, traeger: 0),
        ])
        #expect(early.period.asOf == ts("2025-07-15T00:00:00Z"))
        #expect(early.traeger.head.seq == 1)
        #expect(try s.reconcile(asOf: ts("2025-07-31T00:00:00Z")).findings == [])
        #expect(try s.reconcile().findings == [])
    }

    @Test func recordingAReconciliationCausesNoFindingAndKeepsTheHeads() throws {
        let s = ReconcileScenario()
        try s.kontrakt("k-1")
        try s.hours("b-1", "k-1", "2025-04-07", 90, on: .jugendamt)
        let before = try s.reconcile()
        let head: JSON = ["seq": 1, "hash": .string(String(repeating: "0", count: 64))]
        try s.jugendamt.append("ReconciliationRecorded", [
            "year": 2025, "quarter": 2, "counterparty": "traeger:caritas", "ownHead": head, "counterpartyHead": head,
            "reportHash": .string(before.reportHash.hex), "findings": 2,
        ])
        try s.traeger.append("ReconciliationRecorded", [
            "year": 2025, "quarter": 2, "counterparty": "jugendamt:trier-saarburg", "ownHead": head, "counterpartyHead": head,
            "reportHash": .string(before.reportHash.hex), "findings": 2,
        ])
        #expect(s.jugendamt.records.last!.stream == "traeger:caritas")
        let after = try s.reconcile()
        #expect(after.reportBytes == before.reportBytes)
    }

    @Test func theSameInputsGiveTheSameBytes() throws {
        func build() throws -> ReconcileScenario {
            let s = ReconcileScenario()
            try s.kontrakt("k-2", on: .traeger)
            try s.kontrakt("k-1")
            for n in 0..<30 {
                try s.hours("b-\(n)", "k-1", "2025-05-\(10 + n % 20)", Int64(30 + n), on: n % 7 == 0 ? .jugendamt : .both)
            }
            try s.payment("z-1", "2025-04-15", 50_000, on: .traeger)
            return s
        }
        let a = try build().reconcile().reportBytes
        let b = try build().reconcile().reportBytes
        #expect(a == b)
        #expect(try build().reconcile().findings.count == 8)
    }

    @Test func theJSONReportHasTheContractsShape() throws {
        let s = ReconcileScenario()
        try s.jugendamt.append("KontraktSigned", ReconcileScenario.kontraktData("k-1", granted: 600))
        try s.traeger.append("KontraktSigned", ReconcileScenario.kontraktData("k-1", granted: 500))
        let r = try s.reconcile(asOf: ts("2025-08-01T00:00:00Z"))
        let j = s.jugendamt.records.last!, t = s.traeger.records.last!
        let expected = """
            {"asOf":"2025-08-01T00:00:00Z","counts":{"booking-mismatch":0,"booking-missing-at-jugendamt":0,\
            "booking-missing-at-traeger":0,"hours-mismatch":0,"kontrakt-mismatch":1,"kontrakt-missing-at-jugendamt":0,\
            "kontrakt-missing-at-traeger":0,"over-grant":0,"payment-mismatch":0,"payment-missing-at-jugendamt":0,\
            "payment-missing-at-traeger":0},"findings":[{"field":"grantedMinutes","id":"3c2ecb7e493ff8a5",\
            "ids":{"kontrakt":"k-1","traeger":"caritas"},"jugendamt":600,"kind":"kontrakt-mismatch","traeger":500}],\
            "format":"doppelledger-reconciliation/1","jugendamt":{"head":{"hash":"\(j.hash.hex)","seq":3},\
            "ledger":"jugendamt:trier-saarburg","records":1,"stream":"traeger:caritas"},\
            "period":{"from":"2025-04-01","to":"2025-06-30"},"quarter":2,"reconciled":false,\
            "traeger":{"head":{"hash":"\(t.hash.hex)","seq":1},"ledger":"traeger:caritas","records":1,\
            "stream":"jugendamt:trier-saarburg"},"year":2025}
            """
        #expect(String(decoding: r.reportBytes, as: UTF8.self) == expected)
        #expect(r.reportHash == Digest32.sha256(Array(expected.utf8)))
    }

    @Test func findingIdsDependOnKindIdsAndFieldOnly() {
        let a = Finding(kind: .bookingMismatch, traeger: "caritas", kontrakt: "k-1", booking: "b-1", field: "minutes", jugendamt: 1, traeger: 2)
        let b = Finding(kind: .bookingMismatch, traeger: "caritas", kontrakt: "k-1", booking: "b-1", field: "minutes", jugendamt: 5, traeger: 9)
        let c = Finding(kind: .bookingMismatch, traeger: "caritas", kontrakt: "k-1", booking: "b-1", field: "date", jugendamt: 1, traeger: 2)
        #expect(a.id == b.id)
        #expect(a.id != c.id)
        #expect(a.id == String(Digest32.sha256(Array("booking-mismatch|caritas|k-1|b-1||minutes".utf8)).hex.prefix(16)))
    }

    @Test func onlyTheQuartersBookingsAreHeldInMemory() throws {
        let s = ReconcileScenario()
        try s.kontrakt("k-1", granted: 100_000, from: "2025-01-01")
        for day in 1...28 {
            try s.hours("q1-\(day)", "k-1", "2025-02-\(day < 10 ? "0" : "")\(day)", 60, on: .jugendamt)
            try s.hours("q3-\(day)", "k-1", "2025-08-\(day < 10 ? "0" : "")\(day)", 60, on: .jugendamt)
        }
        try s.hours("q2-1", "k-1", "2025-05-02", 60, on: .jugendamt)
        let period = try ReconciliationPeriod(year: 2025, quarter: 2)
        let reader = SideReader(side: .jugendamt, stream: "traeger:caritas", period: period)
        let source = RecordArray(s.jugendamt.records)
        let data = try reader.collect(source, reversed: try reader.reversals(source))
        #expect(Array(data.bookings.keys) == ["q2-1"])
        let booked: Int64 = 29 * 60 // Q1 and Q2, not Q3
        #expect(data.kontrakte["k-1"]?.bookedMinutes == booked)
    }

    @Test func theSidesMustBeAJugendamtAndATraeger() throws {
        let s = ReconcileScenario()
        #expect(throws: ReconcileError.self) {
            try Reconciler.reconcile(jugendamt: s.traeger.name, RecordArray([]), traeger: s.traeger.name, RecordArray([]),
                                     period: try ReconciliationPeriod(year: 2025, quarter: 2))
        }
        #expect(throws: ValidationError.self) { try ReconciliationPeriod(year: 2025, quarter: 5) }
    }
}
