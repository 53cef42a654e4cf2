#pragma once

#include "common/Result.h"
#include "engine/Endpoint.h"

#include <QList>
#include <QObject>
#include <QProcessEnvironment>
#include <QStringList>

class Engine;

// Every engine GPU Deck knows: the local default, each docker context, DOCKER_HOST and --host
// when set, and the engines the user added by URL. Added engines are kept in QSettings under
// "engines/added", as URLs only: a URL never carries a key or a password (ssh keys stay with ssh,
// TLS material in the docker context or DOCKER_CERT_PATH).
class EngineRegistry : public QObject
{
    Q_OBJECT

public:
    static constexpr const char *kAddedKey = "engines/added";

    // One known engine, before anything is asked of it.
    struct Entry
    {
        QString name;         // the context's name, or the URL
        QString source;       // "default", "context", "podman", "DOCKER_HOST", "--host", "added"
        bool current = false; // the one the docker CLI's conventions pick
        Result<Endpoint> endpoint = Error();
    };

    // The list, in this order: default, the contexts by name, Podman's saved connections by name
    // (`podman system connection`), DOCKER_HOST, --host, the added URLs.
    // current marks --host, else DOCKER_HOST, else the current context.
    static QList<Entry> known(
        const QString &hostOption, const QStringList &added,
        const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());
    // The added URLs from QSettings.
    static QStringList addedUrls();
    // A URL the user typed, checked: trimmed, resolvable, not one already in urls. The error is one
    // sentence for the window.
    static Result<Endpoint> checkNewUrl(
        const QString &url, const QStringList &known,
        const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());

    explicit EngineRegistry(
        const QString &hostOption, QObject *parent = nullptr,
        const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());
    ~EngineRegistry() override;

    // Makes the engines of known() and starts watching each (none waits for another).
    void load();
    const QList<Engine *> &engines() const { return m_engines; }
    // The one the docker CLI's conventions pick (--host, DOCKER_HOST, the current context), or null.
    Engine *current() const;
    Engine *find(const QString &url) const;
    Engine *findByName(const QString &name, const QString &source = {}) const;

    // The other engines of endpoint's GPU host (Endpoint::gpuHostKey), each once: a GPU held by one
    // of their running containers is taken for a launch on endpoint.
    QList<Engine *> onGpuHostOf(const Endpoint &endpoint) const;
    // The same among known(), for a process without a registry (gpudeck run).
    static QList<Endpoint> knownOnGpuHostOf(
        const Endpoint &endpoint, const QString &hostOption,
        const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());

    // Adds an engine by URL, remembers it and starts watching it.
    Result<Engine *> add(const QString &url);
    // Forgets an added engine (only those): it stops watching; streams on its client go on, so it
    // stays alive, out of the list, until the registry goes.
    Result<void> remove(Engine *engine);
    // The engine at endpoint: the known one with its URL, else a new one (source "preset") that is
    // watched but not remembered.
    Engine *engineFor(const Endpoint &endpoint);

signals:
    void engineAdded(Engine *engine);
    void engineRemoved(Engine *engine);

private:
    Engine *make(const Entry &entry);
    QStringList urls() const;

    QString m_hostOption;
    QProcessEnvironment m_env;
    QList<Engine *> m_engines;
    Engine *m_current = nullptr;
};
