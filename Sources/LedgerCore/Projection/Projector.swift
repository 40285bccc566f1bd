/// Maintains the budget views: integer counters per Sozialraum, year, quarter and dimension,
/// versioned by the records that changed them, so that any view can be read as of any moment.
///
/// **Counters.** Every record turns into deltas on counters named
/// `<sozialraum>/<year>/<quarter>/<metric>[/<dim>…]` (quarter 0 holds year-level facts). The
/// deltas a booking or Kontrakt caused are kept beside it, so a reversal or an amendment takes
/// back exactly what was added: a reversed booking leaves no trace.
///
/// **Versions.** A counter's history is stored under `h/<counter>\0<seq>` holding the counter's
/// value and the `recordedAt` of the change. There is one version per counter and distinct
/// `recordedAt`; so the value "as of T" is the last version whose seq is at most the last record
/// recorded at or before T — found with one seek, no replay, memory independent of the log.
/// Appending record by record or in batches, and rebuilding, write identical versions.
public struct Projector: ViewMaintainer {
    public init() {}

    public func apply(_ record: Record, _ event: DomainEvent, on ledger: LedgerContext, state: any StateAccess) throws {
        var d = Deltas()
        switch event {
        case .budgetSet(let b):
            d.add(Counter.year(b.sozialraum, b.year, "budget"), b.gesamtCents)
        case .tariffAdjusted(let t):
            // Facts, listed by effective date; the budget query applies them in order.
            let scope = t.sozialraum?.rawValue ?? "all"
            d.add("T/\(t.effectiveFrom)/\(scope)/\(record.seq)", t.basisPoints)
        case .fundsReallocated(let f):
            d.add(Counter.year(f.sozialraum, f.year, "realloc/\(f.from.rawValue)"), f.amountCents)
        case .yearEndSettled(let y):
            d.add(Counter.year(y.sozialraum, y.year, "settled/\(y.traeger)"), y.actualPersonnelCents)
        case .quarterClosed(let q):
            d.add("Q/\(q.year)/\(q.quarter)", record.recordedAt.seconds)
        case .agreementSigned(let a):
            for (year, quarter, _) in Spread.quarters(a.validFrom, a.validTo) {
                d.add(Counter.quarter(a.sozialraum, year, quarter, "posts/\(a.traeger)"), a.planstellenHundredths)
            }
        case .staffAssigned(let s):
            var entity = Deltas()
            let end = s.from.advanced(by: Spread.staffHorizonDays)
            for (year, quarter, _) in Spread.quarterEnds(s.from, end) {
                entity.add(Counter.quarter(s.sozialraum, year, quarter, "staff/\(s.traeger)"), s.stellenumfangPercent)
                entity.add(Counter.quarter(s.sozialraum, year, quarter, "heads/\(s.traeger)"), 1)
                if s.qualification == .fachstudium {
                    entity.add(Counter.quarter(s.sozialraum, year, quarter, "fach/\(s.traeger)"), 1)
                }
            }
            d.merge(entity)
            try entity.save(stateKey("vs", s.staff), state)
        case .staffLeft(let s):
            // Take back the quarters whose end lies after the last day.
            if let old = try Deltas.load(stateKey("vs", s.staff), state) {
                var kept = Deltas()
                for (key, value) in old.items {
                    if let qEnd = Counter.quarterEnd(of: key), qEnd > s.to { d.add(key, -value) } else { kept.add(key, value) }
                }
                try kept.save(stateKey("vs", s.staff), state)
            }
        case .kontraktSigned, .kontraktAmended, .kontraktEnded:
            try applyKontrakt(record, event, state, &d)
        case .hoursBooked(let h):
            guard let k = try KontraktState.load(h.kontrakt, state) else { break }
            var entity = Deltas()
            let (year, quarter) = (h.date.year, h.date.quarter)
            let agreement = try AgreementState.inForce(k.traeger, k.sozialraum, on: h.date, state)
            if let agreement {
                entity.add(Counter.quarter(k.sozialraum, year, quarter, "cons/\(k.funding.rawValue)"), agreement.value(minutes: h.minutes))
            } else {
                entity.add(Counter.quarter(k.sozialraum, year, quarter, "nofls/\(k.traeger)"), h.minutes)
            }
            entity.add(Counter.quarter(k.sozialraum, year, quarter, "hmin/\(k.hilfeart.rawValue)/\(k.traeger)"), h.minutes)
            entity.add(Counter.quarter(k.sozialraum, year, quarter, "fmin/\(k.funding.rawValue)"), h.minutes)
            try countLate(year, quarter, k.sozialraum, state, &entity)
            d.merge(entity)
            try entity.save(stateKey("vb", h.booking), state)
            try updateOverGrant(h.kontrakt, state, &d)
        case .preventionBooked(let p):
            var entity = Deltas()
            let (year, quarter) = (p.date.year, p.date.quarter)
            if let agreement = try AgreementState.inForce(p.traeger, p.sozialraum, on: p.date, state) {
                entity.add(Counter.quarter(p.sozialraum, year, quarter, "cons/praevention"), agreement.value(minutes: p.minutes))
            } else {
                entity.add(Counter.quarter(p.sozialraum, year, quarter, "nofls/\(p.traeger)"), p.minutes)
            }
            entity.add(Counter.quarter(p.sozialraum, year, quarter, "pmin/\(p.category.rawValue)/\(p.traeger)"), p.minutes)
            try countLate(year, quarter, p.sozialraum, state, &entity)
            d.merge(entity)
            try entity.save(stateKey("vb", p.booking), state)
        case .paymentBooked(let p):
            var entity = Deltas()
            let (year, quarter) = (p.date.year, p.date.quarter)
            entity.add(Counter.quarter(p.sozialraum, year, quarter, "cons/\(p.funding.rawValue)"), p.amountCents)
            entity.add(Counter.quarter(p.sozialraum, year, quarter, "pay/\(p.funding.rawValue)"), p.amountCents)
            try countLate(year, quarter, p.sozialraum, state, &entity)
            d.merge(entity)
            try entity.save(stateKey("vb", p.payment), state)
        case .bookingReversed(let r):
            if let old = try Deltas.load(stateKey("vb", r.booking), state) {
                for (key, value) in old.items { d.add(key, -value) }
                try state.delete(stateKey("vb", r.booking))
            }
            if let b = try BookingState.load(r.booking, state), b.kind == .hours, let kid = b.kontrakt {
                try updateOverGrant(kid, state, &d)
            }
        case .signerAuthorized, .signerRevoked, .reconciliationRecorded:
            break
        }
        d.buffer(at: record, into: state.scratch)
    }

    /// Kontrakt counters: granted minutes, committed value and running cases spread over the
    /// quarters of the period; starts and ends. Re-spread on every amendment or end.
    private func applyKontrakt(_ record: Record, _ event: DomainEvent, _ state: any StateAccess, _ d: inout Deltas) throws {
        let id: String
        switch event {
        case .kontraktSigned(let k): id = k.kontrakt
        case .kontraktAmended(let a): id = a.kontrakt
        case .kontraktEnded(let e): id = e.kontrakt
        default: return
        }
        // The rules have already applied the event: the state is the Kontrakt's new terms.
        guard let k = try KontraktState.load(id, state) else { return }
        let key = stateKey("vk", id)
        if let old = try Deltas.load(key, state) {
            for (counter, value) in old.items { d.add(counter, -value) }
        }
        var entity = Deltas()
        let last = k.lastDay
        let agreement = try AgreementState.inForce(k.traeger, k.sozialraum, on: k.validFrom, state)
        let parts = Spread.quarters(k.validFrom, max(last, k.validFrom))
        let minuteParts = Spread.split(k.grantedMinutes, weights: parts.map(\.days))
        for (i, (year, quarter, _)) in parts.enumerated() {
            entity.add(Counter.quarter(k.sozialraum, year, quarter, "gmin/\(k.hilfeart.rawValue)/\(k.traeger)"), minuteParts[i])
            if let agreement {
                entity.add(Counter.quarter(k.sozialraum, year, quarter, "commit/\(k.funding.rawValue)"), agreement.value(minutes: minuteParts[i]))
            }
            entity.add(Counter.quarter(k.sozialraum, year, quarter, "run/\(k.hilfeart.rawValue)"), 1)
        }
        entity.add(Counter.quarter(k.sozialraum, k.validFrom.year, k.validFrom.quarter, "start/\(k.hilfeart.rawValue)"), 1)
        entity.add(Counter.quarter(k.sozialraum, last.year, last.quarter, "end/\(k.hilfeart.rawValue)"), 1)
        if k.endedOn != nil {
            entity.add(Counter.quarter(k.sozialraum, last.year, last.quarter, "ended/\(k.hilfeart.rawValue)"), 1)
            let months = Spread.months(k.validFrom, last)
            entity.add(Counter.quarter(k.sozialraum, last.year, last.quarter, "dur/\(k.hilfeart.rawValue)"), Int64(months))
        }
        if case .kontraktAmended(let a) = event, a.hilfeart != nil {
            d.add(Counter.quarter(k.sozialraum, a.effectiveFrom.year, a.effectiveFrom.quarter, "switch"), 1)
        }
        d.merge(entity)
        try entity.save(key, state)
        try updateOverGrant(id, state, &d)
    }

    /// Counts Kontrakte whose booked minutes exceed the grant, per Sozialraum (`<sz>/0/0/over`).
    private func updateOverGrant(_ id: String, _ state: any StateAccess, _ d: inout Deltas) throws {
        guard let k = try KontraktState.load(id, state) else { return }
        let key = stateKey("vo", id)
        let was = try state.get(key) != nil
        let now = k.bookedMinutes > k.grantedMinutes
        guard was != now else { return }
        d.add("\(k.sozialraum.rawValue)/0/0/over", now ? 1 : -1)
        if now { try state.put(key, [1]) } else { try state.delete(key) }
    }

    /// Counts a booking into a quarter that was closed before it was recorded.
    private func countLate(_ year: Int, _ quarter: Int, _ sz: Sozialraum, _ state: any StateAccess, _ d: inout Deltas) throws {
        if try state.get(stateKey("qc", String(year), String(quarter))) != nil {
            d.add(Counter.quarter(sz, year, quarter, "late"), 1)
        }
    }

    /// No counter may leave ±10¹⁵ (cents: ten trillion euros), so that sums and forecasts of a
    /// few counters never overflow 64 bits.
    public static let counterLimit: Int64 = 1_000_000_000_000_000

    /// Writes the transaction's buffered deltas as new counter versions.
    public static func flush(_ scratch: TransactionScratch, state: any StateAccess) throws {
        guard !scratch.viewDeltas.isEmpty else { return }
        for counter in scratch.viewDeltas.keys.sorted() {
            let runs = scratch.viewDeltas[counter]!
            let prefix = Counter.historyPrefix(counter)
            var latest = try state.last(prefix: prefix, atMost: prefix + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
            for run in runs {
                var value = run.delta
                if let (k, v) = latest {
                    var r = BinaryReader(v)
                    let previous = r.int()
                    let at = r.int()
                    value += previous
                    guard abs(value) <= Self.counterLimit else {
                        throw ValidationError(field: "data", "the totals of \(counter) would exceed \(Self.counterLimit) (ten trillion euros in cents); the amounts cannot be right")
                    }
                    if at == run.recordedAt { try state.delete(k) } // one version per recordedAt
                }
                var w = BinaryWriter()
                w.int(value)
                w.int(run.recordedAt)
                let key = Counter.historyKey(counter, seq: run.seq)
                try state.put(key, w.bytes)
                latest = (key, w.bytes)
            }
        }
        scratch.viewDeltas.removeAll()
    }
}

/// Counter names and history keys.
public enum Counter {
    /// `<sz>/<year>/<quarter>/<metric>`.
    @inline(__always)
    public static func quarter(_ sz: Sozialraum, _ year: Int, _ quarter: Int, _ metric: String) -> String {
        "\(sz.rawValue)/\(year)/\(quarter)/\(metric)"
    }

    /// A year-level fact: quarter 0.
    public static func year(_ sz: Sozialraum, _ year: Int, _ metric: String) -> String {
        "\(sz.rawValue)/\(year)/0/\(metric)"
    }

    /// `h/<counter>\0`: the prefix of all versions of one counter.
    public static func historyPrefix(_ counter: String) -> [UInt8] {
        var key: [UInt8] = [UInt8(ascii: "h"), UInt8(ascii: "/")]
        key.append(contentsOf: counter.utf8)
        key.append(0)
        return key
    }

    public static func historyKey(_ counter: String, seq: UInt64) -> [UInt8] {
        var key = historyPrefix(counter)
        withUnsafeBytes(of: seq.bigEndian) { key.append(contentsOf: $0) }
        return key
    }

    /// The last day of the quarter a counter belongs to (nil for year-level or non-quarter counters).
    static func quarterEnd(of counter: String) -> CalendarDate? {
        let parts = counter.split(separator: "/", maxSplits: 3)
        guard parts.count >= 3, let y = Int(parts[1]), let q = Int(parts[2]), (1...4).contains(q) else { return nil }
        return CalendarDate.quarterEnd(year: y, quarter: q)
    }
}

/// A set of counter deltas, kept in first-added order.
///
/// A linear list, not a dictionary: a record touches a handful of counters (a booking 3 to 5, a
/// Kontrakt a few per quarter of its period), where comparing strings beats hashing them.
struct Deltas {
    private(set) var items: [(String, Int64)] = []

    mutating func add(_ key: String, _ value: Int64) {
        if value == 0 { return }
        if let i = items.firstIndex(where: { $0.0 == key }) { items[i].1 += value } else {
            items.append((key, value))
        }
    }

    mutating func merge(_ other: Deltas) {
        for (k, v) in other.items { add(k, v) }
    }

    func save(_ key: [UInt8], _ state: any StateAccess) throws {
        var w = BinaryWriter()
        for (k, v) in items where v != 0 {
            let u = Array(k.utf8)
            w.byte(UInt8(u.count))
            w.bytes.append(contentsOf: u)
            w.int(v)
        }
        try state.put(key, w.bytes)
    }

    static func load(_ key: [UInt8], _ state: any StateAccess) throws -> Deltas? {
        guard let bytes = try state.get(key) else { return nil }
        var r = BinaryReader(bytes)
        var d = Deltas()
        while !r.isAtEnd {
            let k = r.string()
            d.add(k, r.int())
        }
        return d
    }

    /// Adds these deltas to the transaction's buffer, as changes made by `record`.
    func buffer(at record: Record, into scratch: TransactionScratch) {
        let at = record.recordedAt.seconds
        for (key, value) in items where value != 0 {
            // Mutated in place: copying the runs out and back would copy the array every time.
            scratch.viewDeltas[key, default: []].add(value, at: at, seq: record.seq)
        }
    }
}

extension [ViewRun] {
    /// Adds a change made at `at` by record `seq`: to the last run if it shares the `recordedAt`.
    mutating func add(_ delta: Int64, at: Int64, seq: UInt64) {
        if let last = indices.last, self[last].recordedAt == at {
            self[last].delta += delta
            self[last].seq = seq
        } else {
            append(ViewRun(recordedAt: at, seq: seq, delta: delta))
        }
    }
}

/// Spreading periods over quarters.
public enum Spread {
    /// How far ahead a staff assignment without an end is counted (12 years).
    static let staffHorizonDays = 12 * 366

    /// The quarters a period touches, with the number of its days in each.
    public static func quarters(_ from: CalendarDate, _ to: CalendarDate) -> [(year: Int, quarter: Int, days: Int)] {
        var out: [(Int, Int, Int)] = []
        var start = from
        while start <= to {
            let (y, q) = (start.year, start.quarter)
            let qEnd = CalendarDate.quarterEnd(year: y, quarter: q)
            let end = min(qEnd, to)
            out.append((y, q, start.distance(to: end) + 1))
            start = qEnd.advanced(by: 1)
        }
        return out
    }

    /// The quarters whose last day lies within [from, to].
    static func quarterEnds(_ from: CalendarDate, _ to: CalendarDate) -> [(year: Int, quarter: Int, days: Int)] {
        quarters(from, to).filter { CalendarDate.quarterEnd(year: $0.year, quarter: $0.quarter) <= to }
    }

    /// Splits `total` in proportion to `weights`, exactly: the parts sum to `total`
    /// (largest remainder; ties to the earlier part).
    public static func split(_ total: Int64, weights: [Int]) -> [Int64] {
        let sum = Int64(weights.reduce(0, +))
        guard sum > 0 else { return weights.map { _ in 0 } }
        var parts = weights.map { total * Int64($0) / sum }
        var remainders = weights.enumerated().map { (i, w) in (i, (total * Int64(w)) % sum) }
        var left = total - parts.reduce(0, +)
        remainders.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        var i = 0
        while left > 0 {
            parts[remainders[i % remainders.count].0] += 1
            left -= 1
            i += 1
        }
        return parts
    }

    /// Whole months from `from` to `to` (at least 1).
    static func months(_ from: CalendarDate, _ to: CalendarDate) -> Int {
        let a = from.components, b = to.components
        return max(1, (b.year - a.year) * 12 + (b.month - a.month) + (b.day >= a.day ? 1 : 0))
    }
}
