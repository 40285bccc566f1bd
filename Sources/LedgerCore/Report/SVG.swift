/// Escaping for HTML text and attribute values.
public enum HTML {
    /// Replaces `& < > " '` by entities, so any text is safe in element content and in quoted attributes.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}

/// A small writer for inline SVG charts: integer coordinates in a `viewBox`, every text escaped,
/// styling by CSS classes from the page (so print styles apply). No scripts, no external references.
struct SVG {
    enum Anchor: String { case start, middle, end }

    let width: Int
    let height: Int
    /// What the chart shows, for screen readers (`aria-label` and `<title>`).
    let label: String
    private var parts: [String] = []

    init(width: Int, height: Int, label: String) {
        self.width = width
        self.height = height
        self.label = label
    }

    mutating func rect(_ x: Int, _ y: Int, _ w: Int, _ h: Int, _ cls: String, title: String? = nil) {
        let shape = "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(max(w, 0))\" height=\"\(max(h, 0))\" class=\"\(HTML.escape(cls))\""
        if let title {
            parts.append(shape + "><title>\(HTML.escape(title))</title></rect>")
        } else {
            parts.append(shape + "/>")
        }
    }

    mutating func line(_ x1: Int, _ y1: Int, _ x2: Int, _ y2: Int, _ cls: String) {
        parts.append("<line x1=\"\(x1)\" y1=\"\(y1)\" x2=\"\(x2)\" y2=\"\(y2)\" class=\"\(HTML.escape(cls))\"/>")
    }

    mutating func polygon(_ points: [(Int, Int)], _ cls: String) {
        let list = points.map { "\($0.0),\($0.1)" }.joined(separator: " ")
        parts.append("<polygon points=\"\(list)\" class=\"\(HTML.escape(cls))\"/>")
    }

    mutating func text(_ x: Int, _ y: Int, _ text: String, _ cls: String = "t", anchor: Anchor = .start) {
        let a = anchor == .start ? "" : " text-anchor=\"\(anchor.rawValue)\""
        parts.append("<text x=\"\(x)\" y=\"\(y)\" class=\"\(HTML.escape(cls))\"\(a)>\(HTML.escape(text))</text>")
    }

    /// The `<svg>` element.
    var markup: String {
        "<svg class=\"chart\" viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\" role=\"img\" aria-label=\"\(HTML.escape(label))\">"
            + "<title>\(HTML.escape(label))</title>" + parts.joined() + "</svg>"
    }

    /// Scales `value` of `max` onto `pixels` (integer arithmetic, rounded half up).
    static func scale(_ value: Int64, of max: Int64, onto pixels: Int) -> Int {
        guard max > 0 else { return 0 }
        return Int(Money.share(value, Int64(pixels), max))
    }

    /// A round step for an axis up to `max` with at most about five ticks (1, 2, 2.5 or 5 × 10ⁿ).
    static func niceStep(_ max: Int64) -> Int64 {
        guard max > 0 else { return 1 }
        var magnitude: Int64 = 1
        while magnitude * 10 <= max { magnitude *= 10 }
        for m in [magnitude / 10, magnitude] where m > 0 {
            for factor: (Int64, Int64) in [(1, 1), (2, 1), (5, 2), (5, 1)] {
                let step = m * factor.0 / factor.1
                if step > 0, max / step <= 5 { return step }
            }
        }
        return magnitude * 2
    }
}
