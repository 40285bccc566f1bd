/// A JSON value as this ledger uses it: no floating-point numbers, objects with unique keys.
///
/// Objects keep their members sorted in RFC 8785 (JCS) order, so that canonical output is a
/// plain walk. Numbers are integers that fit in `Int64`; records never hold fractions.
public enum JSON: Equatable, Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case string(String)
    case array([JSON])
    case object(JSONObject)

    /// The object, when this is one.
    public var object: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The string, when this is one.
    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The integer, when this is one.
    public var int: Int64? {
        if case .int(let i) = self { return i }
        return nil
    }

    /// A short name of the value's kind, for error messages.
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// A JSON object whose members are kept sorted by key in JCS order (UTF-16 code units).
public struct JSONObject: Equatable, Hashable, Sendable, Sequence {
    public struct Member: Equatable, Hashable, Sendable {
        public let key: String
        public var value: JSON
    }

    /// Members in canonical (JCS) key order.
    public private(set) var members: [Member]

    public init() { members = [] }

    /// Builds an object from pairs; a repeated key keeps the last value.
    public init(_ pairs: [(String, JSON)]) {
        members = []
        members.reserveCapacity(pairs.count)
        for (k, v) in pairs { self[k] = v }
    }

    /// Builds an object from members already sorted and unique (the parser's fast path).
    init(sortedUnique members: [Member]) { self.members = members }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }
    public var keys: [String] { members.map(\.key) }

    public func makeIterator() -> IndexingIterator<[Member]> { members.makeIterator() }

    /// The member's value, or `nil`. Setting `nil` removes the member.
    public subscript(key: String) -> JSON? {
        get {
            // Objects here are small (a dozen members): a linear scan beats hashing.
            for m in members where JCS.keyEquals(m.key, key) { return m.value }
            return nil
        }
        set {
            let index = members.firstIndex { !JCS.keyPrecedes($0.key, key) }
            if let index, JCS.keyEquals(members[index].key, key) {
                if let newValue { members[index].value = newValue } else { members.remove(at: index) }
            } else if let newValue {
                members.insert(Member(key: key, value: newValue), at: index ?? members.endIndex)
            }
        }
    }
}

extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
                ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSON)...) { self = .object(JSONObject(elements)) }
    public init(nilLiteral: ()) { self = .null }
}

// Equality follows the canonical bytes. Swift's `String ==` treats canonically equivalent
// strings as equal ("é" precomposed and "e" + U+0301), but they are different JSON strings with
// different hashes, so values compare strings by their code units. (The synthesised `hash(into:)`
// stays consistent: equal bytes are always canonically equivalent.)
extension JSON {
    public static func == (a: JSON, b: JSON) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case let (.bool(x), .bool(y)): x == y
        case let (.int(x), .int(y)): x == y
        case let (.string(x), .string(y)): x.utf8.elementsEqual(y.utf8)
        case let (.array(x), .array(y)): x == y
        case let (.object(x), .object(y)): x == y
        default: false
        }
    }
}

extension JSONObject.Member {
    public static func == (a: Self, b: Self) -> Bool {
        JCS.keyEquals(a.key, b.key) && a.value == b.value
    }
}

/// RFC 8785 (JSON Canonicalization Scheme) helpers.
public enum JCS {
    /// Whether two keys are the same JCS key: the same code units, not merely canonically
    /// equivalent as Swift's `String ==` has it.
    @inline(__always)
    public static func keyEquals(_ a: String, _ b: String) -> Bool {
        a.utf8.elementsEqual(b.utf8)
    }

    /// Whether `a` sorts before `b` by UTF-16 code units, as JCS orders object keys.
    @inline(__always)
    public static func keyPrecedes(_ a: String, _ b: String) -> Bool {
        // For ASCII (every key this ledger defines) UTF-8 byte order equals UTF-16 order.
        var ia = a.utf8.makeIterator(), ib = b.utf8.makeIterator()
        while true {
            switch (ia.next(), ib.next()) {
            case (nil, nil): return false
            case (nil, _): return true
            case (_, nil): return false
            case let (x?, y?):
                if x == y { continue }
                if x < 0x80 && y < 0x80 { return x < y }
                return a.utf16.lexicographicallyPrecedes(b.utf16)
            }
        }
    }
}
