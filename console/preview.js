// The live preview: HTTP-FLV through mpegts.js, HLS through hls.js (or the
// browser itself, as Safari plays HLS natively). The libraries are the files
// `make console-deps` copied into vendor/; they are loaded on first use, so
// the rest of the console works without them.

const LIBRARIES = {
  flv: { src: 'vendor/mpegts.js', global: 'mpegts' },
  hls: { src: 'vendor/hls.min.js', global: 'Hls' },
};
const loading = {};

function loadLibrary(kind) {
  const lib = LIBRARIES[kind];
  if (window[lib.global]) return Promise.resolve(window[lib.global]);
  loading[kind] ??= new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = lib.src;
    s.onload = () =>
      window[lib.global] ? resolve(window[lib.global]) : reject(new Error(`${lib.src} defines no ${lib.global}`));
    s.onerror = () => {
      delete loading[kind];
      s.remove();
      reject(new Error(`the player library ${lib.src} is missing: run \`make console-deps\` (it needs npm)`));
    };
    document.head.append(s);
  });
  return loading[kind];
}

// The URL of a stream on the HTTP server, which listens on another port than
// the API: the same host the page came from, the port /api/v1/features gives.
export function streamUrl(kind, port, app, stream) {
  const ext = kind === 'hls' ? 'm3u8' : 'flv';
  const path = `${app}/${stream}`.split('/').map(encodeURIComponent).join('/');
  return `${location.protocol}//${location.hostname}:${port}/${path}.${ext}`;
}

export class Preview {
  // `video`: the <video> element; `onStatus(text, isError)` reports progress.
  constructor(video, onStatus) {
    this.video = video;
    this.onStatus = onStatus;
    this.player = null;
    this.token = 0;
  }

  async play(kind, url) {
    this.stop();
    const token = ++this.token;
    this.onStatus(`loading ${url}`, false);
    let lib;
    try {
      lib = await loadLibrary(kind);
    } catch (e) {
      if (kind === 'hls' && this.video.canPlayType('application/vnd.apple.mpegurl')) {
        return this.playNative(url);
      }
      return this.onStatus(e.message, true);
    }
    if (token !== this.token) return;  // another preview started meanwhile
    try {
      if (kind === 'flv') this.playFlv(lib, url);
      else this.playHls(lib, url);
    } catch (e) {
      this.onStatus(`${kind} preview failed: ${e.message}`, true);
    }
  }

  playFlv(mpegts, url) {
    if (!mpegts.isSupported()) throw new Error('this browser has no Media Source Extensions: try HLS');
    const player = mpegts.createPlayer({ type: 'flv', isLive: true, url }, {
      enableStashBuffer: false,
      liveBufferLatencyChasing: true,
    });
    player.on(mpegts.Events.ERROR, (type, detail, info) => {
      this.onStatus(`HTTP-FLV error: ${type} ${detail}${info && info.msg ? ` (${info.msg})` : ''}`, true);
    });
    player.attachMediaElement(this.video);
    player.load();
    this.player = { destroy: () => player.destroy() };
    this.start(url);
  }

  playHls(Hls, url) {
    if (!Hls.isSupported()) {
      if (this.video.canPlayType('application/vnd.apple.mpegurl')) return this.playNative(url);
      throw new Error('this browser can play HLS neither with hls.js nor natively');
    }
    const hls = new Hls({ lowLatencyMode: false });
    hls.on(Hls.Events.ERROR, (_event, data) => {
      if (data.fatal) this.onStatus(`HLS error: ${data.type} ${data.details}`, true);
    });
    hls.loadSource(url);
    hls.attachMedia(this.video);
    this.player = { destroy: () => hls.destroy() };
    this.start(url);
  }

  playNative(url) {
    this.video.src = url;
    this.player = {
      destroy: () => {
        this.video.removeAttribute('src');
        this.video.load();
      },
    };
    this.start(url);
  }

  start(url) {
    this.video.muted = true;  // browsers only autoplay muted video
    const played = this.video.play();
    if (played) played.catch((e) => this.onStatus(`press play (${e.message})`, false));
    this.onStatus(`playing ${url}`, false);
  }

  stop() {
    this.token++;
    if (this.player) this.player.destroy();
    this.player = null;
  }
}
