import Foundation

/// A table of strings with a header, written as Markdown (for notebooks), CSV (for other tools) or plain text.
public struct Table {
    public var title: String
    public var columns: [String]
    public var rows: [[String]] = []
    /// Notes printed under the table (sources, caveats).
    public var notes: [String] = []

    public init(title: String, columns: [String], rows: [[String]] = [], notes: [String] = []) {
        self.title = title; self.columns = columns; self.rows = rows; self.notes = notes
    }

    public mutating func add(_ row: [String]) {
        precondition(row.count == columns.count, "Table \(title): row has \(row.count) cells, header has \(columns.count)")
        rows.append(row)
    }

    private func isNumeric(_ column: Int) -> Bool {
        let cells = rows.map { $0[column] }.filter { !$0.isEmpty && $0 != "—" && $0 != "-" }
        return !cells.isEmpty && cells.allSatisfy { cell in
            cell.allSatisfy { "0123456789.,-+%eE×x ".contains($0) } && cell.contains(where: \.isNumber)
        }
    }

    public var markdown: String {
        func escape(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: "<br>") }
        var out = "**\(title)**\n\n"
        out += "| " + columns.map(escape).joined(separator: " | ") + " |\n"
        out += "|" + columns.indices.map { isNumeric($0) ? " ---: |" : " --- |" }.joined() + "\n"
        for row in rows { out += "| " + row.map(escape).joined(separator: " | ") + " |\n" }
        for note in notes { out += "\n" + note + "\n" }
        return out
    }

    public var csv: String {
        func quote(_ s: String) -> String {
            s.contains(where: { ",\"\n\r".contains($0) }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        return ([columns] + rows).map { $0.map(quote).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    /// Aligned columns for a terminal. Hangul syllables take two terminal cells, so widths count them twice.
    public var plainText: String {
        func width(_ s: String) -> Int {
            s.unicodeScalars.reduce(0) { $0 + ((0x1100...0x11FF).contains($1.value) || (0x2E80...0xA4CF).contains($1.value)
                                              || (0xAC00...0xD7A3).contains($1.value) || (0xF900...0xFAFF).contains($1.value)
                                              || (0xFF00...0xFF60).contains($1.value) ? 2 : 1) }
        }
        let all = [columns] + rows.map { $0.map { $0.replacingOccurrences(of: "\n", with: " ") } }
        let widths = columns.indices.map { c in all.map { width($0[c]) }.max() ?? 0 }
        func line(_ row: [String]) -> String {
            row.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: widths[c] - width(cell))
                return isNumeric(c) ? pad + cell : cell + pad
            }.joined(separator: "  ")
        }
        var out = title + "\n" + line(columns) + "\n" + widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        for row in all.dropFirst() { out += line(row) + "\n" }
        for note in notes { out += note + "\n" }
        return out
    }
}

/// Formatting numbers the same way everywhere: thousands separators for counts, fixed decimals for the rest.
public enum Format {
    public static func count(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(ch)
        }
        return (n < 0 ? "-" : "") + out
    }

    public static func fixed(_ x: Double, _ decimals: Int) -> String {
        guard x.isFinite else { return x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (abs(x) * scale).rounded() / scale
        let integer = Int(rounded)
        var fraction = Int(((rounded - Double(integer)) * scale).rounded())
        var whole = integer
        if Double(fraction) >= scale { whole += 1; fraction = 0 }
        let sign = x < 0 && rounded != 0 ? "-" : ""
        if decimals == 0 { return sign + String(whole) }
        let f = String(fraction)
        return sign + String(whole) + "." + String(repeating: "0", count: decimals - f.count) + f
    }

    public static func percent(_ x: Double, _ decimals: Int = 1) -> String { fixed(100 * x, decimals) + "%" }

    /// Large numbers in engineering words: 1.33 B, 512.0 M, 12.3 k.
    public static func scaled(_ x: Double, _ decimals: Int = 2) -> String {
        let a = abs(x)
        if a >= 1e12 { return fixed(x / 1e12, decimals) + " T" }
        if a >= 1e9 { return fixed(x / 1e9, decimals) + " B" }
        if a >= 1e6 { return fixed(x / 1e6, decimals) + " M" }
        if a >= 1e3 { return fixed(x / 1e3, decimals) + " k" }
        return fixed(x, decimals)
    }

    /// Scientific notation for quantities like FLOPs: 2.38e17.
    public static func scientific(_ x: Double, _ decimals: Int = 2) -> String {
        guard x != 0, x.isFinite else { return fixed(x, decimals) }
        var exponent = Int(log10(abs(x)).rounded(.down))
        var mantissa = x / pow(10, Double(exponent))
        if abs(mantissa) >= 9.995 { mantissa /= 10; exponent += 1 }
        return fixed(mantissa, decimals) + "e" + String(exponent)
    }

    public static func bytes(_ n: Double) -> String {
        let a = abs(n)
        let kib = 1024.0, mib = kib * kib, gib = mib * kib, tib = gib * kib
        if a >= tib { return fixed(n / tib, 2) + " TiB" }
        if a >= gib { return fixed(n / gib, 2) + " GiB" }
        if a >= mib { return fixed(n / mib, 1) + " MiB" }
        if a >= kib { return fixed(n / kib, 1) + " KiB" }
        return "\(Int(n)) B"
    }
}
