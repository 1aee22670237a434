// A training run's checkpoints, and resuming from them. Beside `Checkpoint` (one model directory), this is the
// run's folder of them:
//   checkpoints/step-NNNNNN/  model.safetensors, config.json, trainer_state.safetensors (AdamW and the metadata
//                             below), and the run's logs up to that step (metrics.csv, validation.csv)
//   checkpoints/latest        the name of the newest complete checkpoint, written last and atomically
// At every instant `latest` names a whole checkpoint, and a folder named step-N is always complete: a kill at any
// moment leaves the previous checkpoint or the new one.
import Foundation
import Plumbing

public struct TrainingCheckpoints {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// The metadata a checkpoint records: the step, the run's name (a cell of the grid, a base model), and the
    /// recipe in words — everything that decides the numbers besides the data's order.
    public struct Identity: Equatable {
        public var run: String
        public var recipe: String
        public init(run: String, recipe: String) { self.run = run; self.recipe = recipe }
    }

    public static func folderName(step: Int) -> String {
        "step-" + String(repeating: "0", count: max(0, 6 - String(step).count)) + String(step)
    }

    /// Starting over: an older run's checkpoints must not be there for a later resume to continue (this run could be
    /// killed before its first checkpoint). `latest` goes first, so no moment has it naming a folder half deleted.
    public func discardAll() {
        unlink(directory + "/latest")
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Write a complete checkpoint into a temporary folder, rename it into place, point `latest` at it, then remove
    /// older ones (and what a killed run left). `logs` are files written beside the model (file name, text).
    public func save(_ model: GPTNeoX, _ optimizer: AdamW, step: Int, identity: Identity, logs: [(String, String)]) throws {
        let name = TrainingCheckpoints.folderName(step: step)
        let folder = directory + "/" + name
        let temporary = folder + ".partial-\(getpid())"
        try? FileManager.default.removeItem(atPath: temporary)
        do {
            try Checkpoint.save(model, optimizer: optimizer,
                                metadata: ["step": String(step), "cell": identity.run, "recipe": identity.recipe], to: temporary)
            for (file, text) in logs { try FileIO.writeAtomically(temporary + "/" + file, text: text) }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)     // a full disk must not leave half a checkpoint
            throw error
        }
        // A folder of this name can only be left by a killed run that never pointed `latest` at it (a resumed run
        // saves only steps after the one it resumed from).
        try? FileManager.default.removeItem(atPath: folder)
        guard rename(temporary, folder) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw ModelError("\(folder): cannot rename the checkpoint into place: \(reason)")
        }
        try FileIO.writeAtomically(directory + "/latest", text: name + "\n")
        removeAll(except: name)
    }

    /// Load the newest checkpoint into `model` and `optimizer`, when there is one: the folder and the number of steps
    /// it had done. A checkpoint of another run, outside `0...totalSteps`, or made with another recipe is refused:
    /// continuing it would mix two runs into one that neither describes.
    public func resume(into model: GPTNeoX, _ optimizer: AdamW, identity: Identity,
                       totalSteps: Int) throws -> (folder: String, step: Int)? {
        guard let latest = try? String(decoding: FileIO.read(directory + "/latest"), as: UTF8.self) else { return nil }
        let name = latest.trimmingCharacters(in: .whitespacesAndNewlines)
        let folder = directory + "/" + name
        try Checkpoint.loadParameters(into: model, from: folder + "/" + Checkpoint.modelFile)
        let meta = try Checkpoint.loadTrainerState(into: optimizer, from: folder)
        guard let done = meta["step"].flatMap(Int.init), (0...totalSteps).contains(done), meta["cell"] == identity.run else {
            throw ModelError("\(folder): not a checkpoint of \(identity.run) within its \(totalSteps) steps")
        }
        guard meta["recipe"] == identity.recipe else {
            throw ModelError("\(folder) was made with \(meta["recipe"] ?? "unrecorded settings"); this run has \(identity.recipe). "
                             + "Run without --resume to start over.")
        }
        removeAll(except: name)     // what a killed run left beside it
        return (folder, done)
    }

    /// Remove every checkpoint folder but `name` (older ones, and the temporary folders of killed runs).
    public func removeAll(except name: String) {
        for old in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where old.hasPrefix("step-") && old != name {
            try? FileManager.default.removeItem(atPath: directory + "/" + old)
        }
    }
}
