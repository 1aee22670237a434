// config.json of arbitrary bytes: a NeoXConfig with no problems, or a thrown error naming the file; never a trap.
// A config that loads can be counted (its parameter layout) and written back to the same config.
import Repro
import Tensor
import Plumbing

func fuzzOne(_ bytes: [UInt8]) {
    let path = "fuzz/config.json"
    let config: NeoXConfig
    do {
        let json = try JSON.parse(bytes, file: path)
        config = try NeoXConfig(huggingFace: json, file: path)
    } catch {
        expectNamesFile(error, path)
        return
    }
    if !config.problems.isEmpty { violated("a loaded config has problems: \(config.problems)") }
    _ = config.parameterCount
    _ = config.parameterBreakdown
    do {
        var again = try NeoXConfig(huggingFace: JSON.parse(config.huggingFaceJSON.serialized()), file: path)
        again.name = config.name
        if again != config { violated("config changed on writing: \(config) → \(again)") }
    } catch {
        violated("a loaded config does not load again when written: \(error)")
    }
}
