#pragma once

#include <QObject>
#include <QPointer>

#include <functional>

struct Endpoint;
class EngineSelection;
class Preset;

// A preset's engine: a loaded preset that names one runs there (an engine not trusted before is
// asked about once, since whoever can use an engine is root on its host), and a preset saved now
// names the selected engine the way the user reached it.
class PresetEngine : public QObject
{
    Q_OBJECT

public:
    // How the question about an engine not trusted before is put to the user (the window's offer
    // bar): a name for the offer, its title, text and button, and what Yes does.
    using Ask = std::function<void(const QString &name, const QString &title, const QString &text,
                                   const QString &action, const std::function<void()> &onYes)>;

    // Construct it before anything else connects to selection's selected(): a selection made
    // elsewhere forgets the preset's name for the engine first.
    PresetEngine(EngineSelection *selection, Ask ask, QObject *parent = nullptr);

    // What a preset saved now names as its engine: the selected context by name, an address the
    // user gave by URL, and nothing for the engine the usual resolution finds anyway.
    QString name() const;
    void follow(const Preset &preset);

signals:
    void message(const QString &text);
    // name() changed: the equivalent command names the engine anew.
    void nameChanged(const QString &name);

private:
    void switchTo(const Endpoint &target, const QString &alias);

    QPointer<EngineSelection> m_selection;
    Ask m_ask;
    // The name a loaded preset gave the selected engine (a URL that a context also reaches).
    QString m_alias;
};
