// A JSON Lines file of arbitrary bytes through the plain reader (Records.readJSONLines), then as chapter 04 reads
// chapter 02's examples (TrainingExample lines, each checked against the vocabulary: ids below it, or −100) and
// through the batching. Properties: a
// thrown error names the file (and the line, for a line that is not JSON); the examples that load make micro-batches
// whose inputs are real ids and whose targets are ids or −100.
import Repro
import Tensor
import Plumbing

func fuzzOne(_ bytes: [UInt8]) {
    let path = scratchFile("train.jsonl", bytes)
    do {
        let records = try Records.readJSONLines(path)
        if records.count > bytes.count { violated("more records than bytes") }
    } catch {
        expectNamesFile(error, path)
        if let e = error as? RecordError, e.problem.isEmpty { violated("empty problem") }
        return
    }
    let vocabularySize = 600
    let examples: [TrainingExample]
    do {
        examples = try Records.read(TrainingExample.self, jsonLines: path)
        for (index, example) in examples.enumerated() {
            do { try example.checkTokens(below: vocabularySize) } catch {
                throw RecordError(file: path, record: index, problem: error.description)
            }
        }
    } catch {
        expectNamesFile(error, path)
        return
    }
    for size in [1, 3] {
        for batch in microBatches(Array(examples.indices), examples: examples, size: size) {
            if batch.inputs.count != batch.batch * batch.length || batch.targets.count != batch.inputs.count { violated("batch shape") }
            if batch.inputs.contains(where: { $0 < 0 || $0 >= vocabularySize }) { violated("an input id out of range") }
            if batch.targets.contains(where: { $0 != ignoreIndex && ($0 < 0 || $0 >= vocabularySize) }) { violated("a target out of range") }
        }
    }
}
