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

    /// A text for one cell: on one line (newlines shown as ⏎), cut to `limit` characters with an ellipsis.
    public static func shortened(_ text: String, _ limit: Int = 60) -> String {
        let line = text.replacingOccurrences(of: "\n", with: " ⏎ ")
        return line.count <= limit ? line : String(line.prefix(limit)) + "…"
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
