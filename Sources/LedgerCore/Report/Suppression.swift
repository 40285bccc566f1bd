/// Small-cell suppression for reports to steering bodies (SGB VIII § 64 (3): planning data are
/// anonymous aggregates). The rules, and why, are in docs/REPORT.md.
public enum Suppression {
    /// A count of cases below this (and above zero) is not shown; an hours figure must rest on at
    /// least this many Kontrakte.
    public static let minimum: Int64 = 5

    /// A count of cases as printed.
    public enum Cell: Equatable, Sendable {
        /// Zero or at least ``Suppression/minimum``.
        case value(Int64)
        /// 1 to 4: printed as "< 5".
        case small
        /// Hidden so that a shown total does not give away a small cell by subtraction: "•".
        case hidden

        public var text: String {
            switch self {
            case .value(let n): Format.count(n)
            case .small: "< \(Suppression.minimum)"
            case .hidden: "•"
            }
        }

        public var isSuppressed: Bool { self == .small || self == .hidden }
    }

    /// One count on its own: 1 to 4 becomes `.small`.
    public static func cell(_ n: Int64) -> Cell {
        n > 0 && n < minimum ? .small : .value(n)
    }

    /// A column of counts shown with its total. Primary: 1 to 4 become "< 5". Secondary: when
    /// exactly one cell of the column is small, the total minus the others would reveal it, so the
    /// smallest other non-zero cell is hidden too.
    public static func column(_ values: [Int64]) -> (cells: [Cell], total: Cell) {
        var cells = values.map(cell)
        let total = cell(values.reduce(0, +))
        if cells.filter({ $0 == .small }).count == 1, total != .small {
            let candidate = values.indices
                .filter { cells[$0] != .small && values[$0] > 0 }
                .min { (values[$0], $0) < (values[$1], $1) }
            if let candidate { cells[candidate] = .hidden }
        }
        return (cells, total)
    }

    /// Splits groups into those shown on their own and those merged into one "other" group, so
    /// that every shown figure rests on at least ``minimum`` Kontrakte: groups below it are merged;
    /// while the merged group is still below it, the smallest shown group joins it. When nothing
    /// is left to join, the merged group rests on fewer than ``minimum`` and its figures must be
    /// hidden (see ``mergedIsTooSmall``).
    public static func merge<G>(_ groups: [G], kontrakte: (G) -> Int64) -> (shown: [G], merged: [G]) {
        var shown: [(Int, G)] = []
        var merged: [(Int, G)] = []
        for (i, g) in groups.enumerated() {
            if kontrakte(g) < minimum { merged.append((i, g)) } else { shown.append((i, g)) }
        }
        func mergedCount() -> Int64 { merged.reduce(0) { $0 + kontrakte($1.1) } }
        while !merged.isEmpty, mergedCount() < minimum, !shown.isEmpty {
            let smallest = shown.indices.min { (kontrakte(shown[$0].1), -shown[$0].0) < (kontrakte(shown[$1].1), -shown[$1].0) }!
            merged.append(shown.remove(at: smallest))
        }
        return (shown.map(\.1), merged.sorted { $0.0 < $1.0 }.map(\.1))
    }

    /// Whether a merged group still rests on fewer than ``minimum`` Kontrakte (its figures are hidden).
    public static func mergedIsTooSmall(_ kontrakte: Int64) -> Bool { kontrakte < minimum }
}
