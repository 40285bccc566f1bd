import Foundation
import LedgerCore
import LedgerStore
import Logging
import Prometheus

/// The node's one writer: a dedicated thread that takes every append request that arrived while
/// the previous commit ran and appends them together in one LMDB transaction (one durable
/// commit), so many concurrent clients share the cost of an fsync.
///
/// Each request stays atomic on its own: when the combined batch is refused at some event, the
/// requests before the refused one are committed together, the refused request is answered with
/// its refusal, and the rest are tried again as a group. A request is answered only after the
/// commit that holds its records has returned (LMDB has synced it), never before.
final class GroupCommitter: @unchecked Sendable {
    private struct Job {
        let events: [NewEvent]
        let arrived: ContinuousClock.Instant
        let continuation: CheckedContinuation<[Ledger.Outcome], any Error>
    }

    /// Thrown to requests that arrive after the node began shutting down.
    struct Closed: Error {}

    private let ledger: Ledger
    private let metrics: NodeMetrics
    private let logger: Logger
    /// Upper bound of events in one combined transaction.
    private let maxGroupEvents: Int
    private let condition = NSCondition()
    private var pending: [Job] = []
    private var closed = false
    private var finished = false
    private var finishWaiters: [CheckedContinuation<Void, Never>] = []

    init(ledger: Ledger, metrics: NodeMetrics, logger: Logger, maxGroupEvents: Int = 20_000) {
        self.ledger = ledger
        self.metrics = metrics
        self.logger = logger
        self.maxGroupEvents = maxGroupEvents
        let thread = Thread { [self] in self.loop() }
        thread.name = "doppelledger-writer"
        thread.start()
    }

    /// Appends `events` atomically (all or none) and returns after their durable commit.
    func submit(_ events: [NewEvent]) async throws -> [Ledger.Outcome] {
        try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            if closed {
                condition.unlock()
                continuation.resume(throwing: Closed())
                return
            }
            pending.append(Job(events: events, arrived: .now, continuation: continuation))
            condition.signal()
            condition.unlock()
        }
    }

    /// Stops taking requests, commits those already taken, and returns when the writer is done.
    func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            condition.lock()
            closed = true
            if finished {
                condition.unlock()
                continuation.resume()
                return
            }
            finishWaiters.append(continuation)
            condition.broadcast()
            condition.unlock()
        }
    }

    private func loop() {
        while true {
            condition.lock()
            while pending.isEmpty && !closed { condition.wait() }
            if pending.isEmpty {
                finished = true
                let waiters = finishWaiters
                finishWaiters = []
                condition.unlock()
                for w in waiters { w.resume() }
                return
            }
            let jobs = pending
            pending = []
            condition.unlock()
            var start = 0
            while start < jobs.count {
                var end = start
                var events = 0
                while end < jobs.count, end == start || events + jobs[end].events.count <= maxGroupEvents {
                    events += jobs[end].events.count
                    end += 1
                }
                commit(jobs[start..<end])
                start = end
            }
        }
    }

    /// Commits `jobs` in as few transactions as their refusals allow.
    private func commit(_ jobs: ArraySlice<Job>) {
        var rest = jobs
        while !rest.isEmpty {
            let combined = rest.flatMap(\.events)
            do {
                let outcomes = try ledger.append(combined)
                metrics.groupSize.record(Int64(combined.count))
                answer(rest, outcomes)
                return
            } catch let error as LedgerError {
                guard rest.count > 1 else {
                    refuse(rest.first!, error)
                    return
                }
                switch error {
                case .invalid(let index, let v):
                    // The requests before the refused one were valid together: commit them as one.
                    let (position, offset) = locate(index, in: rest)
                    let before = rest.prefix(position)
                    if !before.isEmpty { commitOneByOne(before, asGroup: true) }
                    refuse(rest[rest.startIndex + position], LedgerError.invalid(index: index - offset, v))
                    rest = rest.dropFirst(position + 1)
                case .recordedAt(let index, let m):
                    let (position, offset) = locate(index, in: rest)
                    let before = rest.prefix(position)
                    if !before.isEmpty { commitOneByOne(before, asGroup: true) }
                    refuse(rest[rest.startIndex + position], LedgerError.recordedAt(index: index - offset, m))
                    rest = rest.dropFirst(position + 1)
                default:
                    // A key conflict names no position, and a storage failure may be passing:
                    // give every request its own transaction and its own answer.
                    commitOneByOne(rest, asGroup: false)
                    return
                }
            } catch {
                commitOneByOne(rest, asGroup: false)
                return
            }
        }
    }

    /// Commits `jobs` together when `asGroup` (falling back to one by one on a refusal), or each alone.
    private func commitOneByOne(_ jobs: ArraySlice<Job>, asGroup: Bool) {
        if asGroup {
            let combined = jobs.flatMap(\.events)
            if let outcomes = try? ledger.append(combined) {
                metrics.groupSize.record(Int64(combined.count))
                answer(jobs, outcomes)
                return
            }
        }
        for job in jobs {
            do {
                let outcomes = try ledger.append(job.events)
                metrics.groupSize.record(Int64(job.events.count))
                answer([job], outcomes)
            } catch {
                refuse(job, error)
            }
        }
    }

    /// The request holding combined event `index`, and the index of its first event.
    private func locate(_ index: Int, in jobs: ArraySlice<Job>) -> (position: Int, offset: Int) {
        var offset = 0
        for (position, job) in jobs.enumerated() {
            if index < offset + job.events.count { return (position, offset) }
            offset += job.events.count
        }
        return (jobs.count - 1, offset - (jobs.last?.events.count ?? 0))
    }

    private func answer(_ jobs: ArraySlice<Job>, _ outcomes: [Ledger.Outcome]) {
        let now = ContinuousClock.now
        var offset = 0
        let newRecords = outcomes.lazy.filter(\.isNew).count
        if newRecords > 0 { metrics.appends.increment(by: Int64(newRecords)) }
        if let last = outcomes.last(where: \.isNew) { metrics.headSeq.set(Int64(last.record.seq)) }
        for job in jobs {
            let mine = Array(outcomes[offset..<offset + job.events.count])
            offset += job.events.count
            metrics.requestsOK.increment()
            metrics.appendLatency.record(now - job.arrived)
            job.continuation.resume(returning: mine)
        }
    }

    private func refuse(_ job: Job, _ error: any Error) {
        if let e = error as? LedgerError, e.isBadInput {
            metrics.requestsRefused.increment()
        } else {
            metrics.requestsFailed.increment()
            logger.error("append failed", metadata: ["error": "\(error)"])
        }
        job.continuation.resume(throwing: error)
    }
}
