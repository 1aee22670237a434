// Chapter 01 — data repair. (Phase 1: the analysis printed to the terminal; the notebook comes with the chapter kit.)
#if canImport(Glibc)
import Glibc
#endif
import Tensor

let dataDirectory = CommandLine.arguments.dropFirst().first ?? "../shared/data"
do {
    let (path, note) = try KoAlpacaFile.choose(dataDirectory: dataDirectory)
    print(note)
    let result = DataRepairResult(try Validation.load(bytes: try FileIO.read(path), file: path))
    print("records \(result.data.totalRecords), accepted \(result.data.records.count), rejected \(result.data.rejects.count)")
    for row in result.candidates {
        print(row.hit.index, row.hit.label, row.classification.grammarClass.rawValue, row.classification.reason)
    }
    for c in GrammarClass.allCases { print(c.rawValue, result.count(c)) }
    for r in result.repairs {
        print("#\(r.index) [\(r.edit?.rule.rawValue ?? "no applicable rule")] \(r.edit?.detail ?? "")")
        print("   before:", GrammarRecords.sentenceText(r.before, r.source))
        print("   after: ", r.edit?.sentence ?? "(unchanged)")
    }
} catch {
    fputs("ch01-data-repair: \(error)\n", stderr)
    exit(1)
}
