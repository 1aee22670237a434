import Foundation
import Tensor
import Plumbing
import Repro

// Figures are drawn by gnuplot. Beside every PNG we leave the `.gp` script and its `.dat` data, so a reader can
// re-run `gnuplot name.gp`, restyle it, or take the numbers elsewhere. Hangul needs a font that has it: Debian's
// fonts-nanum (NanumGothic); without one, pngcairo draws boxes where the Korean should be.

public struct FigureError: Error, CustomStringConvertible {
    public var problem: String
    public var description: String { problem }
}

public struct Figure {
    public enum Kind {
        /// y against x, one line per series.
        case lines
        /// Points joined by lines (a few measurements, e.g. one per model size).
        case linesPoints
        /// Histogram of each series' raw `x` values in bins of `binWidth`, drawn as overlapping outlined steps.
        case histogram(binWidth: Double)
        /// Grouped bars: one group per `categories` entry, one bar per series (y[i] for category i), with optional
        /// error bars from `yLow`/`yHigh`.
        case bars
    }

    public struct Series {
        public var title: String
        public var x: [Double]
        public var y: [Double]
        public var yLow: [Double]?
        public var yHigh: [Double]?
        /// Extra gnuplot style words, e.g. "dashtype 2" or "linewidth 3".
        public var style: String

        public init(_ title: String, x: [Double], y: [Double], yLow: [Double]? = nil, yHigh: [Double]? = nil, style: String = "") {
            self.title = title; self.x = x; self.y = y; self.yLow = yLow; self.yHigh = yHigh; self.style = style
        }

        /// A series of raw values, for `.histogram`.
        public init(_ title: String, values: [Double], style: String = "") { self.init(title, x: values, y: [], style: style) }
    }

    public var name: String
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var kind: Kind
    public var series: [Series]
    public var categories: [String] = []
    public var logX = false
    public var logY = false
    /// Raw gnuplot commands placed before `plot` (ranges, keys, arrows).
    public var extra: [String] = []

    public init(name: String, title: String, xLabel: String, yLabel: String, kind: Kind = .lines, series: [Series],
                categories: [String] = [], logX: Bool = false, logY: Bool = false, extra: [String] = []) {
        self.name = name; self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.kind = kind
        self.series = series; self.categories = categories; self.logX = logX; self.logY = logY; self.extra = extra
    }

    static func quoted(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// A series' own style words, with a default line width unless it sets one.
    static func lineStyle(_ style: String) -> String {
        style.contains("linewidth") || style.contains(" lw ") ? style : "linewidth 2 " + style
    }

    static func number(_ x: Double) -> String { x.isFinite ? "\(x)" : "NaN" }

    /// The data file: one block per series (separated by two blank lines, so `index i` selects one), or for bars one
    /// row per category.
    public var data: String {
        var out = "# \(title)\n"
        switch kind {
        case .bars:
            out += "# category" + series.map { " \"\($0.title)\" low high" }.joined() + "\n"
            for (i, category) in categories.enumerated() {
                out += Figure.quoted(category)
                for s in series {
                    let y = i < s.y.count ? s.y[i] : .nan
                    out += " \(Figure.number(y)) \(Figure.number(s.yLow.map { $0[i] } ?? y)) \(Figure.number(s.yHigh.map { $0[i] } ?? y))"
                }
                out += "\n"
            }
        case .histogram(let binWidth):
            for s in series {
                out += "# \(s.title): bin start, count\n"
                var counts: [Int: Int] = [:]
                for v in s.x where v.isFinite { counts[Int((v / binWidth).rounded(.down)), default: 0] += 1 }
                if let lo = counts.keys.min(), let hi = counts.keys.max() {
                    // A zero bin on each side, so each outline rises from and returns to the axis.
                    for b in (lo - 1)...(hi + 1) { out += "\(Double(b) * binWidth) \(counts[b] ?? 0)\n" }
                }
                out += "\n\n"
            }
        case .lines, .linesPoints:
            for s in series {
                out += "# \(s.title)\n"
                for (x, y) in zip(s.x, s.y) { out += "\(Figure.number(x)) \(Figure.number(y))\n" }
                out += "\n\n"
            }
        }
        return out
    }

    /// The gnuplot script, writing `<name>.png` or `<name>.svg` (chosen by the `fmt` variable) next to itself.
    public var script: String {
        var s = """
        # Re-run with: gnuplot -e "fmt='png'" \(name).gp   (or fmt='svg')
        if (!exists("fmt")) fmt = 'png'
        if (fmt eq 'svg') { set terminal svg size 900,540 dynamic font "NanumGothic,13" } else { set terminal pngcairo size 1000,600 enhanced font "NanumGothic,11" }
        set output '\(name).'.fmt
        set encoding utf8
        set title \(Figure.quoted(title)) noenhanced
        set xlabel \(Figure.quoted(xLabel)) noenhanced
        set ylabel \(Figure.quoted(yLabel)) noenhanced
        set grid lc rgb "#dddddd"
        set key outside right top noenhanced
        set border lc rgb "#555555"

        """
        if logX { s += "set logscale x\n" }
        if logY { s += "set logscale y\n" }
        let file = "'\(name).dat'"
        var plots: [String] = []
        switch kind {
        case .bars:
            let hasErrors = series.contains { $0.yLow != nil }
            s += "set style data histograms\n"
            s += hasErrors ? "set style histogram errorbars gap 1 lw 1\n" : "set style histogram clustered gap 1\n"
            s += "set style fill solid 0.75 border -1\nset boxwidth 0.9\nset yrange [0:*]\nset xtics rotate by -20 noenhanced\n"
            for (i, series) in series.enumerated() {
                let c = 2 + 3 * i
                let using = hasErrors ? "\(c):\(c + 1):\(c + 2)" : "\(c)"
                plots.append("\(file) using \(using)\(i == 0 ? ":xtic(1)" : "") title \(Figure.quoted(series.title)) \(series.style)")
            }
        case .histogram:
            for (i, series) in series.enumerated() {
                plots.append("\(file) index \(i) using 1:2 with steps \(Figure.lineStyle(series.style)) title \(Figure.quoted(series.title))")
            }
        case .lines, .linesPoints:
            var with = "lines"
            if case .linesPoints = kind { with = "linespoints pointsize 1.5" }
            for (i, series) in series.enumerated() {
                plots.append("\(file) index \(i) using 1:2 with \(with) \(Figure.lineStyle(series.style)) title \(Figure.quoted(series.title))")
            }
        }
        for e in extra { s += e + "\n" }   // after the kind's defaults, so a figure can override them
        s += "plot " + plots.joined(separator: ", \\\n     ") + "\n"
        return s
    }

    /// Write `<name>.gp` and `<name>.dat` into `directory` and render `<name>.png` and `<name>.svg` there.
    /// Returns the PNG's file name (relative to `directory`).
    @discardableResult
    public func render(in directory: String) throws -> String {
        try FileIO.writeAtomically(directory + "/" + name + ".dat", text: data)
        try FileIO.writeAtomically(directory + "/" + name + ".gp", text: script)
        guard let gnuplot = Gnuplot.executable else {
            throw FigureError(problem: "gnuplot is not installed, so \(name).png cannot be drawn (its script and data are in \(directory)). Install it with: apt-get install --no-install-recommends gnuplot-nox fonts-nanum")
        }
        Gnuplot.warnIfNoHangulFont()
        for format in ["png", "svg"] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: gnuplot)
            process.arguments = ["-e", "fmt='\(format)'", name + ".gp"]
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            // gnuplot prints warnings (and fontconfig chatter) on stderr and still succeeds; only its status counts.
            guard process.terminationStatus == 0 else {
                throw FigureError(problem: "gnuplot failed on \(directory)/\(name).gp: \(message)")
            }
            // It also exits 0 after a write failed (a full disk leaves a 0-byte or cut-off file): check what it wrote.
            try Figure.checkRendered(directory + "/" + name + "." + format)
        }
        return name + ".png"
    }

    /// A PNG must start with its signature and end with its IEND chunk; an SVG must close its `<svg>` element.
    /// Anything else (empty, cut off, missing) is an error naming the file, before a manifest can list it.
    public static func checkRendered(_ path: String) throws {
        let bytes: [UInt8]
        do { bytes = try FileIO.read(path) } catch { throw FigureError(problem: "gnuplot wrote no figure: \(error)") }
        func fail(_ what: String) -> FigureError {
            FigureError(problem: "\(path): \(what) (\(bytes.count) bytes); was the disk full? gnuplot does not say")
        }
        if path.hasSuffix(".png") {
            let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            let end: [UInt8] = [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]     // IEND, empty, its CRC
            guard bytes.starts(with: signature) else { throw fail("not a PNG") }
            guard bytes.count >= signature.count + end.count, Array(bytes.suffix(end.count)) == end else { throw fail("a PNG cut off before its end") }
        } else if path.hasSuffix(".svg") {
            var last = bytes.count
            while last > 0, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[last - 1]) { last -= 1 }
            guard bytes.count > 0, String(decoding: bytes[..<last], as: UTF8.self).contains("<svg") else { throw fail("not an SVG") }
            guard bytes[..<last].suffix(6).elementsEqual("</svg>".utf8) else { throw fail("an SVG cut off before </svg>") }
        }
    }
}

enum Gnuplot {
    static let executable: String? = {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = String(dir) + "/gnuplot"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }()

    nonisolated(unsafe) static var warned = false

    static func warnIfNoHangulFont() {
        guard !warned else { return }
        warned = true
        let candidates = ["/usr/share/fonts/truetype/nanum/NanumGothic.ttf", "/usr/share/fonts/truetype/nanum/NanumGothicRegular.ttf"]
        if !candidates.contains(where: { FileIO.exists($0) }) {
            FileHandle.standardError.write(Data("warning: the NanumGothic font (Debian fonts-nanum) is not installed: Hangul in figures will not render.\n".utf8))
        }
    }
}
