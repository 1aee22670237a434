// A safetensors file of arbitrary bytes: opened and every tensor read, or a SafetensorsError/FileError naming the
// file; never a trap and never an allocation beyond the file's size. What opens is written back as F32 and must
// read back to the same values and metadata.
import Tensor
import Plumbing

func fuzzOne(_ bytes: [UInt8]) {
    let path = scratchFile("model.safetensors", bytes)
    let file: SafetensorsFile
    var tensors: [(name: String, tensor: Tensor)] = []
    do {
        file = try SafetensorsFile(path: path)
        for entry in file.entries {
            if entry.end > bytes.count { violated("tensor \(entry.name) ends past the file") }
            let tensor = try file.tensor(entry.name)
            if tensor.count != entry.elementCount { violated("tensor \(entry.name) read with the wrong count") }
            tensors.append((entry.name, tensor))
        }
    } catch {
        expectNamesFile(error, path)
        return
    }
    let copy = scratchDirectory + "/copy.safetensors"
    do {
        try Safetensors.write(tensors, metadata: file.metadata, to: copy)
        let again = try SafetensorsFile(path: copy)
        if again.metadata != file.metadata { violated("metadata changed on writing") }
        for (name, tensor) in tensors {
            let back = try again.tensor(name)
            if back.shape != tensor.shape || back.values.map(\.bitPattern) != tensor.values.map(\.bitPattern) {
                violated("tensor \(name) changed on writing")
            }
        }
    } catch {
        violated("writing back what was read failed: \(error)")
    }
}
