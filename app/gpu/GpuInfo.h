#pragma once

#include <QList>
#include <QMetaType>
#include <QString>

// One physical GPU as the host sees it. Units: memory in bytes, power in watts, temperature in
// degrees Celsius, utilisation in percent. A figure the driver did not give is -1 ("unknown"),
// never 0, so that the UI can tell an idle GPU from one it knows nothing about.
class GpuInfo
{
public:
    enum class MigMode { Unknown, Disabled, Enabled };

    // A MIG slice. indexName is "GPU:MIG" (e.g. "0:1"), what NVIDIA_VISIBLE_DEVICES accepts.
    struct MigDevice
    {
        int index = -1;
        QString indexName;
        QString uuid;
        QString name;
        bool operator==(const MigDevice &o) const
        {
            return index == o.index && indexName == o.indexName && uuid == o.uuid && name == o.name;
        }
    };

    // Who is behind a GPU process (filled by ProcessOwners): its container, or for a process
    // outside containers its user and command; unknownReason says why neither is known.
    struct Container
    {
        QString id;   // full 64-hex-digit ID
        QString name; // without the engine's leading "/"; empty until the engine answered
        QString image;
        QString engine;     // the kind its cgroup names: "docker", "podman", "containerd", "cri-o"
        bool yours = false; // launched from this window
        bool operator==(const Container &o) const
        {
            return id == o.id && name == o.name && image == o.image && engine == o.engine
                   && yours == o.yours;
        }
    };

    struct Process
    {
        qint64 pid = -1;
        qint64 usedMemory = -1; // bytes
        Container container;    // id empty: not in a container, or not known
        QString user;           // login name, else the numeric uid
        QString command;        // the command line, arguments joined by spaces
        QString unknownReason;  // "another PID namespace", "the process has ended"...
        // Percent of the GPU's SMs it kept busy since the previous read (NVML's per-process
        // utilisation); -1: not known (no sample, or the driver or nvidia-smi does not give it).
        int smUtil = -1;

        bool inContainer() const { return !container.id.isEmpty(); }
        bool ownerKnown() const { return inContainer() || !user.isEmpty(); }
        // "train-llm (container)", "train-llm (yours)", "alice: python train.py", "unknown".
        QString ownerLabel() const;
        bool operator==(const Process &o) const
        {
            return pid == o.pid && usedMemory == o.usedMemory && container == o.container
                   && user == o.user && command == o.command && unknownReason == o.unknownReason
                   && smUtil == o.smUtil;
        }
    };

    // Identity: read once.
    int index = -1;
    QString uuid;
    QString name;
    QString pciBusId;
    // The N of its device node /dev/nvidiaN, from NVML (-1: not known; nvidia-smi has no query
    // field for it: driver 580 refuses "minor_number").
    int minorNumber = -1;
    qint64 memoryTotal = -1; // bytes

    // Live figures: polled.
    qint64 memoryUsed = -1;      // bytes
    int gpuUtil = -1;            // percent
    int memUtil = -1;            // percent
    int temperature = -1;        // degrees C
    double powerDraw = -1;       // W
    double powerLimit = -1;      // W
    int smClock = -1;            // MHz, the SM (graphics) clock now
    qint64 eccUncorrected = -1;  // volatile uncorrected ECC errors since the driver loaded
    qint64 throttleReasons = -1; // nvmlClocksThrottleReason bits; 0: not throttled
    // XID critical errors NVML's event set delivered since GPU Deck began watching (-1: events
    // not watched), and the last one's XID code (-1: none yet).
    qint64 xidCount = -1;
    qint64 lastXid = -1;
    MigMode migMode = MigMode::Unknown;
    QList<MigDevice> migDevices;
    QList<Process> processes;
    bool processesKnown = false; // false: the list could not be read, not "no processes"

    // Set when this GPU could not be read (e.g. "GPU is lost"); the others still are.
    QString error;

    static QString migModeName(MigMode mode);

    // Free, for "N free GPUs": its processes were read and there are none, its memory in use is
    // known and under kFreeMemoryBytes (what an idle driver holds), it is not split into MIG
    // slices, and it was read without error. An unknown figure never counts as free.
    static constexpr qint64 kFreeMemoryBytes = 256LL * 1024 * 1024;
    bool isFree() const;
    // Why it is not free, for refusals and the GPU panel: "PID 4242 (1024 MiB), PID 4243",
    // "2048 MiB in use", "MIG mode", "processes unknown"; empty when it is free.
    QString busyReason() const;
};

Q_DECLARE_METATYPE(GpuInfo)
