#pragma once

#include "ContainerGpus.h"

#include <QDateTime>
#include <QJsonObject>
#include <QString>

// One container of an engine as GPU Deck shows it (`gpudeck ps`, the Containers view): read from
// its inspect JSON, with the list entry's status text when there is one.
struct ContainerRecord
{
    // Labels GPU Deck writes on its own launches (LaunchSpec::labels).
    static const QString &presetLabel(); // io.github.gpudeck.preset: the preset's name
    static const QString &gpusLabel();   // io.github.gpudeck.gpus: the GPU UUIDs it was given

    QString id;
    QString name; // without the engine's leading "/"
    QString image;
    QString state;  // created, running, paused, restarting, removing, exited, dead
    QString status; // "Up 5 minutes", "Exited (0) 2 hours ago", as docker ps prints it
    int exitCode = 0;
    QDateTime createdAt;
    QDateTime startedAt;  // invalid: never started
    QDateTime finishedAt; // invalid: has not ended
    QString engine;       // the engine's URL
    QString preset;       // empty: not launched by GPU Deck from a preset
    bool tty = false;
    bool openStdin = false; // docker run -i: its stdin stays open for an attach
    QJsonObject labels;
    ContainerGpus gpus;

    static ContainerRecord fromInspect(const QJsonObject &inspect,
                                       const QJsonObject &listEntry = {});
    // From a GET /containers/json entry alone: everything but the GPUs, the start and end times
    // Tty and OpenStdin (the entry lacks them; an inspect brings them).
    static ContainerRecord fromListEntry(const QJsonObject &entry);
    bool isRunning() const
    {
        return state == QLatin1String("running") || state == QLatin1String("paused")
               || state == QLatin1String("restarting");
    }
    // docker ps's status from the state and times, when no list entry gave one.
    QString statusText(const QDateTime &now = QDateTime::currentDateTimeUtc()) const;

    // {id, name, image, state, status, exitCode, createdAt, engine, preset, gpus: [{index, uuid}],
    // gpuRequest}; gpusResolved says whether host's GPUs were known.
    QJsonObject toJson(const GpuSnapshot *host) const;
};
