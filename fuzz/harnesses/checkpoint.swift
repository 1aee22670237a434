// A checkpoint's model.safetensors and trainer_state.safetensors of arbitrary bytes, loaded into a tiny GPT-NeoX and
// its AdamW (Checkpoint.loadParameters, Checkpoint.loadTrainerState), as chapter 04's --resume and --init load them.
// The first byte picks the file. Properties: a thrown error names the file; a load that succeeds filled every
// parameter (a real checkpoint of the same model, written and read back, gives the same bits).
import Repro
import Tensor
import Plumbing

let config = NeoXConfig(name: "fuzz-tiny", vocabSize: 8, hiddenSize: 4, numLayers: 1, numHeads: 2, rotaryPct: 1,
                        maxPositions: 8)

func fuzzOne(_ bytes: [UInt8]) {
    guard let first = bytes.first else { return }
    let body = Array(bytes.dropFirst())
    let model = GPTNeoX(config: config)
    if first & 1 == 0 {
        let path = scratchFile("model.safetensors", body)
        do {
            try Checkpoint.loadParameters(into: model, from: path)
        } catch {
            expectNamesFile(error, path)
            return
        }
        // It loaded: writing the model and reading it into a fresh one must give the same bits.
        let directory = scratchDirectory + "/checkpoint"
        do {
            try Checkpoint.save(model, to: directory)
            let again = try Checkpoint.loadModel(from: directory)
            if again.parameters.bits != model.parameters.bits {
                violated("a loaded checkpoint does not survive a save and load")
            }
        } catch {
            violated("a loaded checkpoint could not be saved and loaded: \(error)")
        }
    } else {
        let directory = scratchDirectory + "/state"
        try? FileIO.makeDirectories(directory)
        let path = directory + "/" + Checkpoint.trainerStateFile
        _ = scratchFile("state/" + Checkpoint.trainerStateFile, body)
        let optimizer = AdamW(layout: model.layout)
        do {
            let metadata = try Checkpoint.loadTrainerState(into: optimizer, from: directory)
            if metadata["adamw.step"] != String(optimizer.step) { violated("step not restored") }
        } catch {
            expectNamesFile(error, path)
        }
    }
}
