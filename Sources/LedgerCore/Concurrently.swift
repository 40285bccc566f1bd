import Dispatch

/// Runs `a` and `b` at the same time (on two threads when the machine has them) and returns both
/// results once both have finished. The two must not share mutable state (or must lock it).
public func concurrently<A, B>(_ a: () -> A, _ b: () -> B) -> (A, B) {
    let ra = ParallelSlot<A>(), rb = ParallelSlot<B>()
    withoutActuallyEscaping(a) { a in
        withoutActuallyEscaping(b) { b in
            let work = UncheckedBox((a, b))
            DispatchQueue.concurrentPerform(iterations: 2) { i in
                if i == 0 { ra.value = work.value.0() } else { rb.value = work.value.1() }
            }
        }
    }
    return (ra.value!, rb.value!)
}

/// One result of ``concurrently(_:_:)``, written by its thread, read after both have finished.
private final class ParallelSlot<T>: @unchecked Sendable {
    var value: T?
}

/// Hands non-Sendable closures to ``concurrently(_:_:)``'s two threads, which run each exactly once.
private struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
