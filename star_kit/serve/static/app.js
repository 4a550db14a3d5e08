// The page of `starkit serve`: record, upload or type a request, follow its job, show the results.
// Everything is fetched from this server only (no CDN, fonts or analytics).
"use strict";

const MAX_RESULTS = 5;
const POLL_MS = 200;
const $ = (id) => document.getElementById(id);
let recorder = null;
let stoppedAt = null; // performance.now() when Stop was pressed: the Stop-to-playable time

function showError(message) {
  $("error").textContent = message;
  $("error").hidden = !message;
}

function setStatus(text) {
  $("status").textContent = text;
}

async function loadInfo() {
  const info = await (await fetch("/api/info")).json();
  for (const key of ["duration", "steps", "guidance", "seed"]) $(key).value = info.sampling[key];
  for (const name of info.voices) {
    const option = document.createElement("option");
    option.value = option.textContent = name;
    option.selected = name === info.default_voice;
    $("voice").appendChild(option);
  }
}

function options() {
  const out = {};
  for (const key of ["duration", "steps", "guidance", "seed"]) if ($(key).value !== "") out[key] = $(key).value;
  return out;
}

// Float32 mono samples -> a 16-bit PCM WAV file.
function encodeWav(samples, rate) {
  const buffer = new ArrayBuffer(44 + samples.length * 2);
  const view = new DataView(buffer);
  const text = (offset, s) => { for (let i = 0; i < s.length; i++) view.setUint8(offset + i, s.charCodeAt(i)); };
  text(0, "RIFF"); view.setUint32(4, 36 + samples.length * 2, true); text(8, "WAVE");
  text(12, "fmt "); view.setUint32(16, 16, true); view.setUint16(20, 1, true); view.setUint16(22, 1, true);
  view.setUint32(24, rate, true); view.setUint32(28, rate * 2, true); view.setUint16(32, 2, true);
  view.setUint16(34, 16, true); text(36, "data"); view.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i]));
    view.setInt16(44 + i * 2, s < 0 ? s * 0x8000 : s * 0x7fff, true);
  }
  return new Blob([buffer], { type: "audio/wav" });
}

// The browser's recording (WebM/Opus in Chromium) decoded here, mixed to mono.
async function toWav(blob) {
  const context = new AudioContext();
  try {
    const audio = await context.decodeAudioData(await blob.arrayBuffer());
    const mono = new Float32Array(audio.length);
    for (let c = 0; c < audio.numberOfChannels; c++) {
      const data = audio.getChannelData(c);
      for (let i = 0; i < data.length; i++) mono[i] += data[i] / audio.numberOfChannels;
    }
    return encodeWav(mono, audio.sampleRate);
  } finally {
    context.close();
  }
}

async function startRecording() {
  showError("");
  let stream;
  try {
    // Raw speech: the model was trained on it, not on the call-optimised signal.
    const audio = { echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 1 };
    stream = await navigator.mediaDevices.getUserMedia({ audio });
  } catch (err) {
    showError(`cannot use the microphone (${err.name}); allow it for this page, or upload a file instead`);
    return;
  }
  const chunks = [];
  recorder = new MediaRecorder(stream);
  recorder.ondataavailable = (event) => { if (event.data.size) chunks.push(event.data); };
  recorder.onstop = async () => {
    stream.getTracks().forEach((track) => track.stop());
    $("rec-state").textContent = "";
    try {
      const wav = await toWav(new Blob(chunks, { type: recorder.mimeType }));
      await submit(wav, "recording");
    } catch (err) {
      showError(`the recording could not be decoded (${err.message || err}); try again or upload a file`);
    }
  };
  recorder.start();
  $("record").disabled = true;
  $("record").classList.add("recording");
  $("stop").disabled = false;
  $("rec-state").textContent = "recording...";
}

function stopRecording() {
  if (!recorder || recorder.state !== "recording") return;
  stoppedAt = performance.now();
  recorder.stop();
  $("record").disabled = false;
  $("record").classList.remove("recording");
  $("stop").disabled = true;
}

async function submit(body, label) {
  showError("");
  const json = !(body instanceof Blob);
  const query = json ? "" : "?" + new URLSearchParams(options());
  const response = await fetch("/api/jobs" + query, {
    method: "POST",
    headers: { "Content-Type": json ? "application/json" : body.type || "application/octet-stream" },
    body: json ? JSON.stringify({ ...body, ...options() }) : await body.arrayBuffer(),
  });
  const job = await response.json().catch(() => ({ error: `the server answered ${response.status}` }));
  if (!response.ok) {
    const retry = response.headers.get("Retry-After");
    showError(job.error + (retry ? ` (retry after ${retry} s)` : ""));
    setStatus("");
    return;
  }
  await follow(job, label);
}

function describe(job) {
  if (job.state === "queued") return `queued: position ${job.position}`;
  if (job.stage === "sampling") return `sampling: step ${job.step} of ${job.steps}`;
  return job.stage;
}

async function follow(job, label) {
  const started = stoppedAt;
  stoppedAt = null;
  while (job.state === "queued" || job.state === "running") {
    setStatus(describe(job));
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    const response = await fetch(`/api/jobs/${job.id}`);
    job = await response.json();
    if (!response.ok) { showError(job.error); setStatus(""); return; }
  }
  if (job.state === "error") { showError(job.error); setStatus(""); return; }
  setStatus("done");
  addResult(job, label, started);
}

function addResult(job, label, started) {
  const r = job.result;
  const item = document.createElement("article");
  item.className = "result";
  item.dataset.job = job.id;
  const heard = r.labels.map(([name, score]) => `${name} ${score.toFixed(2)}`).join(", ");
  item.innerHTML = `
    <div class="result-meta"></div>
    <p class="result-heard"></p>
    <audio class="result-audio" controls preload="auto"></audio>
    <a class="result-download" download="starkit-${job.id.slice(0, 8)}.wav">download</a>
    <img class="result-spectrogram" alt="spectrogram of the generated sound">`;
  item.querySelector(".result-meta").textContent = `${label}, ${r.seconds.toFixed(1)} s`;
  item.querySelector(".result-heard").textContent = heard ? `heard: ${heard}` : "";
  const audio = item.querySelector("audio");
  audio.addEventListener("canplaythrough", () => {
    if (started !== null && !item.dataset.stopToPlayableMs) {
      item.dataset.stopToPlayableMs = String(Math.round(performance.now() - started));
      setStatus(`done: playable ${(item.dataset.stopToPlayableMs / 1000).toFixed(1)} s after Stop`);
    }
  });
  audio.src = r.audio;
  item.querySelector("a").href = r.audio;
  item.querySelector("img").src = r.spectrogram;
  $("results").prepend(item);
  while ($("results").children.length > MAX_RESULTS) $("results").lastElementChild.remove();
}

function init() {
  $("record").addEventListener("click", startRecording);
  $("stop").addEventListener("click", stopRecording);
  $("file").addEventListener("change", () => {
    const file = $("file").files[0];
    if (file) submit(file, file.name).finally(() => { $("file").value = ""; });
  });
  $("say").addEventListener("click", () => submit({ text: $("text").value, voice: $("voice").value }, `"${$("text").value}"`));
  $("text").addEventListener("keydown", (event) => { if (event.key === "Enter") $("say").click(); });
  loadInfo().catch((err) => showError(`cannot reach the server (${err.message}); is starkit serve running?`));
}

document.addEventListener("DOMContentLoaded", init);
