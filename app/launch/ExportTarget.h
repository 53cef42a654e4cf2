#pragma once

#include "engine/EngineTypes.h"

#include <QString>

// The engine an export is for, where the exporter knows it (the window's engine; the CLI's when
// it has one). Default: unknown, which says nothing engine-specific.
struct ExportTarget
{
    EngineKind kind = EngineKind::Docker;
    QString podmanVersion; // "4.3.1" on Podman

    static ExportTarget podman(const QString &version) { return {EngineKind::Podman, version}; }
    // Podman before 5.4 ignores DeviceRequests on its Docker-compatible create, so the Docker
    // SDK's and docker compose's GPU requests are dropped there without a word.
    bool dropsDeviceRequests() const
    {
        return kind == EngineKind::Podman && !podmanVersion.isEmpty()
               && compareDottedVersions(podmanVersion, QStringLiteral("5.4")) < 0;
    }
};
