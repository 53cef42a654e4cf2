#pragma once

#include "EngineTypes.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

// One device the engine's Container Device Interface can inject.
struct CdiDevice
{
    // fully qualified: "nvidia.com/gpu=0", "nvidia.com/gpu=GPU-…", "nvidia.com/gpu=all"
    QString name;
    QString source; // the spec file that defines it, or "engine" (the engine's DiscoveredDevices)

    bool operator==(const CdiDevice &o) const { return name == o.name && source == o.source; }
};

// The CDI devices an engine can use: for a local engine the spec files (JSON or YAML) in its spec
// directories, read here as the engine reads them; for any engine its /info DiscoveredDevices
// (API 1.50+). A device defined in two files is unresolvable for the engine: it is reported as a
// problem and left out of the list.
struct CdiInventory
{
    QList<CdiDevice> devices;
    QStringList files;    // spec files read
    QStringList problems; // one sentence each: unreadable files, devices defined twice

    bool contains(const QString &name) const;
    QStringList names() const;
    QJsonArray toJson() const; // [{"name": ..., "source": ...}]

    // Reads every *.json, *.yaml and *.yml in dirs (missing directories are skipped).
    static CdiInventory fromSpecDirs(const QStringList &dirs);
    static CdiInventory fromDiscovered(const QJsonArray &discovered);
    // What GPU Deck knows of this engine's devices: spec files when it is local, plus discovery.
    static CdiInventory forEngine(const EngineInfo &info, bool local);

    // The devices one spec file defines (its "kind" joined with each device's "name").
    static QList<CdiDevice> readSpecFile(const QString &path, QString *error);
    static QList<CdiDevice> parseSpec(const QByteArray &text, bool yaml, const QString &source,
                                      QString *error);
};
