#pragma once

#include "engine/CdiSpecs.h"
#include "engine/EngineTypes.h"
#include "gpu/GpuSnapshot.h"
#include "launch/LaunchSpec.h"

#include <QList>

class DockerClient;

// What the checks read: the engine's answer to /info and its CDI devices, the host's GPUs, and
// the presets (they decide whether the "nvidia" runtime and CDI are needed).
struct DoctorFacts
{
    const DockerClient *client = nullptr;
    QList<LaunchSpec> presets;
    EngineInfo info;
    CdiInventory cdi;
    GpuSnapshot snapshot;

    bool presetsWantCdi() const;
    bool presetsWantNvidiaRuntime() const;
    // The UUIDs of the host's GPUs; empty when they could not be read.
    QStringList hostUuids() const;
};
