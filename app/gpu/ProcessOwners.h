#pragma once

#include "gpu/CgroupParser.h"
#include "gpu/GpuSnapshot.h"

#include <QByteArray>
#include <QHash>
#include <QPointer>
#include <QString>
#include <QStringList>

class ContainerDirectory;

// Names who is behind each GPU process: the PID's cgroup gives its container ID, the engine's
// ContainerDirectory its name and image; a process outside containers gets its user and command.
// What /proc says is read once per process (kept while the PID's start time stays the same), so a
// refresh of a steady set of processes reads one small file per PID and asks the engine nothing.
// The facts come from this machine's /proc, or for a remote host from one shell command run
// there (remoteCommand(), parseRemote()).
class ProcessOwners
{
public:
    struct Facts
    {
        bool exists = false;
        QString reason; // when it does not: why nothing is known
        qint64 startTime = -1;
        CgroupParser::Container container;
        QString user;
        QString command;
    };

    explicit ProcessOwners(const QString &procRoot = QStringLiteral("/proc"));

    // Another /proc (a test's fake tree). The namespace check is made for /proc only.
    void setProcRoot(const QString &procRoot);
    void setDirectory(ContainerDirectory *directory);
    ContainerDirectory *directory() const;

    // Both steps below, with this machine's /proc.
    void annotate(GpuSnapshot &snapshot);
    // Container ID, user and command of every process, from this machine's /proc.
    void readProcesses(GpuSnapshot &snapshot);
    // The same from facts another host gave (parseRemote()).
    void applyFacts(GpuSnapshot &snapshot, const QHash<qint64, Facts> &facts) const;
    // Names the containers from the directory (a miss starts one lookup there). Returns the IDs
    // still without a name that the directory may yet give.
    QStringList nameContainers(GpuSnapshot &snapshot) const;

    // The command (argv for RemoteShell) that prints a remote host's facts about pids, and its parser.
    static QStringList remoteCommand(const QList<qint64> &pids);
    static QHash<qint64, Facts> parseRemote(const QByteArray &output);

    // Every PID of the snapshot's processes.
    static QList<qint64> pids(const GpuSnapshot &snapshot);

private:
    Facts local(qint64 pid);
    QString userName(uint uid);

    QString m_procRoot;
    QPointer<ContainerDirectory> m_directory;
    QHash<qint64, Facts> m_cache;
    QHash<uint, QString> m_users;
    QString m_namespaceReason; // set when this process cannot see the driver's PIDs
};
