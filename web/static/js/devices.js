// The camera and microphone the user chose on the Camera Preview, remembered for the call page
// of the same tab (sessionStorage: nothing about devices leaves the browser).
const KEY = "vclinic.devices";

export function chosenDevices() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY)) || {};
  } catch {
    return {};
  }
}

export function rememberDevices(choice) {
  sessionStorage.setItem(KEY, JSON.stringify(choice));
}

// Constraints for getUserMedia from a choice; `facingMode` ("user"/"environment") wins over a
// device id when switching between a phone's front and back cameras.
export function constraints({ videoId, audioId, facingMode } = {}, { audio = true, video = true } = {}) {
  const videoConstraint = { width: { ideal: 1280 }, height: { ideal: 720 } };
  if (facingMode) videoConstraint.facingMode = { ideal: facingMode };
  else if (videoId) videoConstraint.deviceId = { exact: videoId };
  return {
    audio: audio ? (audioId ? { deviceId: { exact: audioId } } : true) : false,
    video: video ? videoConstraint : false,
  };
}

// getUserMedia with the chosen devices, falling back to any device when a remembered one is
// gone, and to audio only when there is no camera.
export async function openMedia(choice = chosenDevices(), want = {}) {
  const attempts = [constraints(choice, want), constraints({}, want)];
  if (want.video !== false) attempts.push(constraints({}, { ...want, video: false }));
  let lastError = null;
  for (const attempt of attempts) {
    if (!attempt.audio && !attempt.video) continue;
    try {
      return await navigator.mediaDevices.getUserMedia(attempt);
    } catch (error) {
      lastError = error;
      if (error.name === "NotAllowedError") break;
    }
  }
  throw lastError || new Error("No camera or microphone");
}

export function mediaErrorText(error) {
  if (error && error.name === "NotAllowedError") {
    return "Your browser blocked the camera and microphone. Allow them for this site and reload the page.";
  }
  if (error && error.name === "NotFoundError") {
    return "No camera or microphone was found. Connect one and reload the page.";
  }
  return "The camera or microphone could not be started. Close other apps that use them and reload the page.";
}

// A level meter: calls `onLevel(0..1)` about 20 times a second from the stream's audio until
// the returned stop function is called.
export function levelMeter(stream, onLevel) {
  const track = stream.getAudioTracks()[0];
  if (!track) return () => {};
  const AudioContextClass = window.AudioContext || window.webkitAudioContext;
  const audio = new AudioContextClass();
  const source = audio.createMediaStreamSource(new MediaStream([track]));
  const analyser = audio.createAnalyser();
  analyser.fftSize = 1024;
  source.connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  let shown = 0;
  const timer = setInterval(() => {
    if (audio.state === "suspended") audio.resume().catch(() => {});
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const sample of samples) sum += sample * sample;
    // RMS scaled so that ordinary speech fills about half of the meter; the bar falls back
    // slowly so that it reads as a level rather than a flicker.
    const level = Math.min(1, Math.sqrt(sum / samples.length) * 2.5);
    shown = Math.max(level, shown * 0.85);
    onLevel(shown < 0.001 ? 0 : shown);
  }, 50);
  return () => {
    clearInterval(timer);
    source.disconnect();
    audio.close().catch(() => {});
  };
}
