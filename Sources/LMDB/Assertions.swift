internal import CLMDB
#if canImport(Glibc)
import Glibc
#endif

/// What happens when LMDB meets a state that cannot be (a damaged data file: a branch page where
/// a leaf must be). LMDB's assertions are compiled in; after calling the handler, LMDB prints
/// its sentence and aborts the process. A program sets ``handler`` once at start to say it in
/// its own words and exit as it chooses; the handler gets LMDB's sentence.
public enum LMDBAssertion {
    public typealias Handler = @convention(c) (UnsafePointer<CChar>?) -> Void
    nonisolated(unsafe) public static var handler: Handler?
}

/// Handed to every environment at creation (see ``Environment/init(path:options:)``).
let assertionTrampoline: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?) -> Void = { _, message in
    LMDBAssertion.handler?(message)
}
