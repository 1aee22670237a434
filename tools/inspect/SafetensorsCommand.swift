import ArgumentParser
import Repro
import Tensor
import Plumbing
import Book

/// `inspect safetensors FILE`: every tensor's name, dtype, shape and size, the metadata, and the total.
struct SafetensorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "safetensors", abstract: "List the tensors of a .safetensors file.")

    @Argument(help: "A .safetensors file.")
    var file: String

    @Flag(help: "Also print each tensor's mean, standard deviation and largest magnitude.")
    var stats = false

    func run() throws {
        let f = try SafetensorsFile(path: file)
        var table = Table(title: file, columns: ["name", "dtype", "shape", "elements"] + (stats ? ["mean", "std", "max |x|"] : []))
        var total = 0
        for e in f.entries {
            total += e.elementCount
            var row = [e.name, e.dtype.rawValue, "[" + e.shape.map(String.init).joined(separator: ", ") + "]", Format.count(e.elementCount)]
            if stats {
                let t = try f.tensor(e.name)
                let n = Double(max(t.count, 1))
                let mean = Double(t.sum()) / n
                let variance = max(t.sumOfSquares() / n - mean * mean, 0)
                let largest = t.values.map { abs($0) }.max() ?? 0
                row += [Format.fixed(mean, 5), Format.fixed(variance.squareRoot(), 5), Format.fixed(Double(largest), 5)]
            }
            table.add(row)
        }
        table.notes = ["\(f.entries.count) tensors, \(Format.count(total)) elements."]
            + f.metadata.sorted { $0.key < $1.key }.map { "metadata \($0.key) = \($0.value)" }
        print(table.plainText)
    }
}
